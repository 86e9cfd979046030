/*
 * Badges on play buttons: what this signed-in customer may hear of each track listed
 * (store/player/access.py). Pages are the same for everyone (and cached as such); each
 * <button data-preview-track data-release data-streaming> says what the catalogue says
 * of its track, and this script asks /player/access, once per page and per region htmx
 * brings in, for this customer's badge: "owned", "stream" (their subscription plays it
 * in full) or "preview". It marks the button (data-access, its label) and shows the
 * badge beside the track's title. Visitors (no data-access-url on the account nav) are
 * not asked about: every button is a preview for them. A badge is a forecast: the player
 * asks the shop again at each play. Plain ES2017.
 */
(function () {
  "use strict";

  var BATCH = 200; // store/player/access.py MAX_ITEMS
  var pending = null;

  function accessUrl() {
    var nav = document.querySelector("[data-access-url]");
    return nav ? nav.dataset.accessUrl : null;
  }

  function mark(button, badge, words) {
    button.dataset.access = badge;
    var text = words[0], meaning = words[1];
    var title = button.dataset.previewTitle || "this track";
    button.setAttribute("aria-label", "Play " + title + " (" + text.toLowerCase() + ")");
    var label = button.querySelector(".play-label");
    if (label) label.textContent = badge === "preview" ? "Preview" : "Play";
    if (label && badge === "preview") return; // the button says it already
    var badgeElement = document.createElement("span");
    badgeElement.className = "badge access-badge access-" + badge;
    badgeElement.title = meaning;
    badgeElement.textContent = text;
    // Beside the title in a list's row (a release's, a chart's), else just after the
    // button (a track's page).
    var row = button.closest("li");
    var place = row && row.querySelector(".track-title, .chart-title");
    if (place) { place.append(" ", badgeElement); }
    else { button.after(" ", badgeElement); }
  }

  function ask(url, buttons) {
    var params = new URLSearchParams();
    buttons.forEach(function (button) {
      params.append("t", button.dataset.previewTrack + ":" + (button.dataset.release || "") +
        ":" + button.dataset.streaming);
    });
    return fetch(url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        buttons.forEach(function (button) {
          var badge = answer && answer.tracks[button.dataset.previewTrack];
          if (badge && answer.words[badge]) mark(button, badge, answer.words[badge]);
          else delete button.dataset.access; // asked again with the next region
        });
      })
      .catch(function () {
        buttons.forEach(function (button) { delete button.dataset.access; });
      });
  }

  function update() {
    pending = null;
    var url = accessUrl();
    if (!url) return;
    var buttons = Array.prototype.slice.call(
      document.querySelectorAll("button[data-preview-track][data-streaming]:not([data-access])")
    );
    buttons.forEach(function (button) { button.dataset.access = "asking"; });
    for (var at = 0; at < buttons.length; at += BATCH) ask(url, buttons.slice(at, at + BATCH));
  }

  // htmx:load fires for every element a swap brings in: one request for all of them.
  function soon() { if (!pending) pending = setTimeout(update, 0); }

  document.addEventListener("htmx:load", soon);
  soon();
})();
