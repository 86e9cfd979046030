/* The persistent player (templates/_base.html, #player).
 *
 * Any <button data-preview-track="ID" data-preview-title="..." data-preview-artist="...">
 * on the page plays that track; pressing it again pauses or resumes. The shop decides
 * what this customer may hear: a HEAD of /stream/ID answers 200 for a whole track (they
 * own it, or their subscription streams it) or names its refusal in X-Stream-Refusal,
 * and the player then plays the 30-second preview (/previews/ID) and says why in words.
 * "another-device" (7digital's one device at a time) plays nothing and is never retried
 * by itself. A play is recorded when playback first starts, and the seconds actually
 * heard (seeking does not count) are reported on every pause, at the end and when the
 * page goes away; the server keeps the largest report. Locker streams are not logged
 * (the server answers 204 to their start). Plain ES2017.
 */
(function () {
  "use strict";

  var NO_PLAY = "00000000-0000-0000-0000-000000000000";
  var current = null; // {track, title, artist, heard, last, play: Promise<id|null>|null}
  var dragging = false;

  function $(id) { return document.getElementById(id); }
  function player() { return $("player"); }
  function audio() { return $("player-audio"); }

  function urlFor(name, id) {
    var template = player().dataset[name];
    if (name === "stopUrl") return template.replace(NO_PLAY, id);
    return template.replace(/\/0(?=\/|$)/, "/" + id); // the id placeholder
  }

  // What the player says when the shop refuses a whole track (store/player/streams.py).
  var REFUSED = {
    "sign-in": "Sign in to play whole tracks.",
    "preview-only": "Buy it or subscribe to hear all of it.",
    "subscription-ended": "Your subscription has ended.",
    "not-streamable": "It is not available to stream.",
    "not-yet-streamable": "It is not yet available to stream.",
    "not-in-country": "It cannot be streamed in your country.",
    "another-device": "Your subscription is playing on another device.",
    "unavailable": "Whole tracks are unavailable at the moment.",
  };

  // "stream" or the refusal's code: the shop decides, HEAD costs no audio.
  function streamChoice(track) {
    return fetch(urlFor("streamUrl", track), { method: "HEAD", credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? "stream" : response.headers.get("X-Stream-Refusal") || "unavailable";
      })
      .catch(function () { return "unavailable"; });
  }

  function csrfToken() {
    try {
      var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"];
      if (token) return token;
    } catch (e) { /* fall back to the cookie */ }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function announce(text) { $("player-status").textContent = text; }

  function describe(entry) {
    return entry.artist ? entry.title + " by " + entry.artist : entry.title;
  }

  function syncButtons() {
    var playing = current && !audio().paused;
    document.querySelectorAll("button[data-preview-track]").forEach(function (button) {
      var mine = current && button.dataset.previewTrack === current.track;
      button.setAttribute("aria-pressed", mine && playing ? "true" : "false");
    });
    var toggle = $("player-toggle");
    toggle.disabled = !current;
    toggle.setAttribute("aria-label", playing ? "Pause" : "Play");
    toggle.querySelector(".player-icon").textContent = playing ? "\u275A\u275A" : "\u25B6";
    $("player-seek").disabled = !current;
  }

  function startPlay(entry) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    var start = entry.stream ? "streamStartUrl" : "startUrl";
    entry.play = fetch(urlFor(start, entry.track), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    })
      .then(function (response) { return response.status === 201 ? response.json() : null; })
      .then(function (data) { return data && data.play; })
      .catch(function () { return null; });
  }

  function sendStop(entry, id, seconds) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("seconds", seconds.toFixed(2));
    var url = entry.stream ? urlFor("streamReportUrl", id) : urlFor("stopUrl", id);
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
        .catch(function () {});
    }
  }

  function reportStop(entry) {
    if (!entry || !entry.play) return;
    var seconds = entry.heard;
    if (entry.id) sendStop(entry, entry.id, seconds); // known already: works during pagehide too
    else entry.play.then(function (id) { if (id) sendStop(entry, id, seconds); });
  }

  // A replay after the end is a new play, and the server accepts a play only of a clip it
  // served: fetch the clip afresh rather than replay the browser's buffer.
  function resume(media) {
    if (current.refetch) { current.refetch = false; media.load(); }
    media.play().catch(function () {});
  }

  function choose(button) {
    var track = button.dataset.previewTrack;
    var media = audio();
    if (current && current.track === track) {
      if (media.paused) resume(media);
      else media.pause();
      return;
    }
    if (current) { reportStop(current); media.pause(); } // now: the pause event comes late
    var entry = current = {
      track: track,
      title: button.dataset.previewTitle || "Track " + track,
      artist: button.dataset.previewArtist || "",
      heard: 0, last: 0, play: null, id: null, stream: false, note: "",
    };
    announce("Loading " + describe(entry));
    syncButtons();
    streamChoice(track).then(function (choice) {
      if (current !== entry) return; // another track was chosen meanwhile
      if (choice === "another-device") {
        announce(REFUSED[choice] + " Try again in a minute to play it here instead.");
        current = null;
        syncButtons();
        return;
      }
      entry.stream = choice === "stream";
      entry.note = entry.stream ? "" : REFUSED[choice] || "";
      media.src = urlFor(entry.stream ? "streamUrl" : "clipUrl", track);
      media.play().catch(function () {});
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-preview-track]");
    if (button) choose(button);
    else if (event.target.closest("#player-toggle") && current) {
      if (audio().paused) resume(audio());
      else audio().pause();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id !== "player-seek" || !current) return;
    audio().currentTime = Number(event.target.value);
  });
  document.addEventListener("pointerdown", function (e) { dragging = e.target.id === "player-seek"; });
  document.addEventListener("pointerup", function () { dragging = false; });

  function onMedia(type, handler) {
    document.addEventListener(type, function (event) {
      if (event.target === audio() && current) handler(audio(), event);
    }, true); // media events do not bubble: listen while capturing
  }

  onMedia("playing", function (media) {
    current.last = media.currentTime;
    if (!current.play) {
      var entry = current;
      startPlay(entry);
      entry.play.then(function (id) { entry.id = id; });
    }
    var what = describe(current) + (current.stream ? "" : " (preview)");
    announce("Playing " + what + (current.note ? ". " + current.note : ""));
    syncButtons();
  });
  onMedia("timeupdate", function (media) {
    var delta = media.currentTime - current.last;
    if (!media.paused && !media.seeking && delta > 0 && delta < 1.5) current.heard += delta;
    current.last = media.currentTime;
    var seek = $("player-seek");
    if (!dragging) seek.value = String(Math.floor(media.currentTime));
    seek.setAttribute("aria-valuetext", clock(media.currentTime) + " of " + clock(seek.max));
  });
  onMedia("seeked", function (media) { current.last = media.currentTime; });
  onMedia("loadedmetadata", function (media) {
    if (isFinite(media.duration)) $("player-seek").max = String(Math.ceil(media.duration));
  });
  onMedia("pause", function (media) {
    if (current.play) { // else a switch of track or a pause before playback began
      reportStop(current);
      if (!media.ended) announce("Paused " + describe(current));
    }
    syncButtons();
  });
  onMedia("ended", function () {
    announce("Finished " + describe(current));
    // Pressing play again is a new play: a fresh entry, so late answers touch the old one.
    current = Object.assign({}, current, { heard: 0, last: 0, play: null, id: null, refetch: true });
    syncButtons();
  });
  onMedia("error", function () {
    var entry = current;
    reportStop(entry); // if it broke off mid-play, the seconds heard still count
    current = null;
    syncButtons();
    if (!entry.stream) {
      announce("The preview of " + describe(entry) + " is not available");
      return;
    }
    // Refused after the HEAD said yes (another device started meanwhile, say): ask why,
    // say it, and leave it there: never retried by itself.
    fetch(urlFor("streamUrl", entry.track), {
      headers: { Range: "bytes=0-0" }, credentials: "same-origin",
    })
      .then(function (response) { return response.headers.get("X-Stream-Refusal"); })
      .catch(function () { return null; })
      .then(function (reason) {
        announce(REFUSED[reason] || describe(entry) + " stopped: it could not be streamed.");
      });
  });

  function leaving() { if (current && !audio().paused) reportStop(current); }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leaving();
  });
  document.addEventListener("htmx:load", syncButtons); // new rows arrive unpressed
  syncButtons();
})();
