/* The persistent player (templates/_base.html, #player).
 *
 * Any <button data-preview-track="ID" data-preview-title="..." data-preview-artist="...">
 * on the page plays that track; pressing it again pauses or resumes. A
 * <button data-play-all="#selector"> queues every such button inside the element it
 * names, in order, and plays the first. The queue (next, previous, remove, move up and
 * down: plain buttons, so the keyboard does it all) lives in the player, which htmx
 * keeps across navigations; the queue, the track and its position are kept in
 * sessionStorage too, so a full page load shows them again, ready to resume.
 *
 * The shop decides what this customer may hear: a HEAD of /stream/ID answers 200 for a
 * whole track (they own it, or their subscription streams it) or names its refusal in
 * X-Stream-Refusal, and the player then plays the 30-second preview (/previews/ID) and
 * says why in words. "another-device" (7digital's one device at a time) plays nothing
 * and is never retried by itself.
 *
 * A play is recorded when playback first starts, and the seconds actually heard
 * (seeking does not count) are reported on every pause, at the end and when the page
 * goes away; the server keeps the largest report. Locker streams are not logged (the
 * server answers 204 to their start). Media Session metadata and actions let the
 * system's media keys play, pause, skip and seek. Plain ES2017.
 *
 * Radio (store/player/radio.py): a <button data-radio-tune="URL" data-radio-next="URL"
 * data-radio-report="URL" data-radio-name="..."> tunes in. The station chooses every
 * track and serves it at a URL that names none; "next" asks for a skip (the server
 * counts them and may refuse: the track then plays on), the end of a track asks for
 * the next, and there is no previous and no seeking. The server logs each track from
 * its first byte; the player reports the seconds heard at each pause and as it moves on.
 */
(function () {
  "use strict";

  var NO_PLAY = "00000000-0000-0000-0000-000000000000";
  var SAVED = "player-queue";
  var SAVER = "player-data-saver"; // whole tracks at AAC 64 instead of 160 (format 55)
  var queue = []; // [{track, title, artist}]
  var index = -1; // the queue's current item
  var current = null; // the play under way: {track, title, artist, heard, last, play, id, stream, note}
  var resumeAt = 0; // seconds into the current item to start from (after a page load)
  var radio = null; // the station tuned in to: {name, tune, next, report, skipsLeft}
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
    "too-many": "Too many tracks started: wait a moment.",
    "unavailable": "Whole tracks are unavailable at the moment.",
  };

  // The way to hear all of a track the shop refused: [text, which URL], by refusal.
  var OFFERS = {
    "sign-in": ["Sign in", "signInUrl"],
    "preview-only": ["See plans", "plansUrl"],
    "subscription-ended": ["Subscribe again", "plansUrl"],
  };

  function offer(reason) {
    var link = $("player-offer");
    if (!link) return;
    var spec = OFFERS[reason];
    link.hidden = !spec;
    if (!spec) return;
    link.textContent = spec[0];
    var url = link.dataset[spec[1]];
    link.href = spec[1] === "signInUrl"
      ? url + "?next=" + encodeURIComponent(location.pathname + location.search)
      : url;
  }

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

  function describe(item) {
    return item.artist ? item.title + " by " + item.artist : item.title;
  }

  function itemOf(button) {
    var track = button.dataset.previewTrack;
    return {
      track: track,
      title: button.dataset.previewTitle || "Track " + track,
      artist: button.dataset.previewArtist || "",
    };
  }

  // -- kept across page loads -------------------------------------------------------

  function save() {
    try {
      var position = current && !current.radio ? audio().currentTime || 0 : resumeAt;
      sessionStorage.setItem(SAVED, JSON.stringify({ queue: queue, index: index, at: position }));
    } catch (e) { /* storage full or refused: the queue lasts this page only */ }
  }

  function restore() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(SAVED) || "null");
      if (!saved || !Array.isArray(saved.queue) || !saved.queue.length) return;
      queue = saved.queue.filter(function (item) { return item && /^\d+$/.test(item.track); });
      index = Math.min(Math.max(saved.index | 0, 0), queue.length - 1);
      resumeAt = Math.max(Number(saved.at) || 0, 0);
      if (queue.length) {
        announce("Ready: " + describe(queue[index]) + (resumeAt ? " from " + clock(resumeAt) : ""));
      }
    } catch (e) { queue = []; index = -1; }
  }

  // -- the controls -----------------------------------------------------------------

  function renderQueue() {
    var list = $("player-queue-list");
    if (!list) return;
    list.textContent = "";
    queue.forEach(function (item, at) {
      var row = document.createElement("li");
      if (at === index) row.setAttribute("aria-current", "true");
      var name = document.createElement("span");
      name.className = "player-queue-title";
      name.textContent = describe(item);
      row.appendChild(name);
      [["up", "\u2191", "Move " + item.title + " up", at === 0],
       ["down", "\u2193", "Move " + item.title + " down", at === queue.length - 1],
       ["remove", "\u00D7", "Remove " + item.title + " from the queue", false],
      ].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.dataset.queueAction = spec[0];
        button.dataset.queueAt = String(at);
        button.textContent = spec[1];
        button.setAttribute("aria-label", spec[2]);
        button.disabled = spec[3];
        row.appendChild(button);
      });
      list.appendChild(row);
    });
    var count = $("player-queue-count");
    if (count) count.textContent = String(queue.length);
    $("player-queue-empty").hidden = queue.length > 0;
  }

  function syncButtons() {
    var playing = current && !audio().paused;
    document.querySelectorAll("button[data-preview-track]").forEach(function (button) {
      var mine = current && button.dataset.previewTrack === current.track;
      button.setAttribute("aria-pressed", mine && playing ? "true" : "false");
    });
    // A station's button is pressed while it plays, and pressing it again pauses it.
    document.querySelectorAll("button[data-radio-tune]").forEach(function (button) {
      var on = !!radio && radio.tune === button.dataset.radioTune && playing;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      var icon = button.querySelector(".radio-tune-icon");
      if (icon) icon.textContent = on ? "\u275A\u275A" : "\u25B6";
    });
    var toggle = $("player-toggle");
    toggle.disabled = !current && !queue.length;
    toggle.setAttribute("aria-label", playing ? "Pause" : "Play");
    toggle.querySelector(".player-icon").textContent = playing ? "\u275A\u275A" : "\u25B6";
    $("player-seek").disabled = !current || !!radio; // radio: no seeking
    $("player-previous").disabled = !!radio || index <= 0;
    $("player-next").disabled = radio ? !current : index < 0 || index >= queue.length - 1;
    $("player-next").setAttribute("aria-label", radio ? "Skip this track" : "Next track");
    renderQueue();
    mediaSession(playing);
  }

  function mediaSession(playing) {
    if (!("mediaSession" in navigator)) return;
    var item = radio ? current : queue[index];
    if (item && window.MediaMetadata) {
      navigator.mediaSession.metadata = new MediaMetadata({ title: item.title, artist: item.artist });
    }
    navigator.mediaSession.playbackState = current ? (playing ? "playing" : "paused") : "none";
  }

  // -- reporting plays ----------------------------------------------------------------

  function startPlay(entry) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (entry.saver) body.append("quality", "data-saver");
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
    if (entry && entry.radio) return radioReport(entry);
    if (!entry || !entry.play) return;
    var seconds = entry.heard;
    if (entry.id) sendStop(entry, entry.id, seconds); // known already: works during pagehide too
    else entry.play.then(function (id) { if (id) sendStop(entry, id, seconds); });
  }

  // -- playing --------------------------------------------------------------------------

  // A replay after the end is a new play, and the server accepts a play only of what it
  // served: fetch it afresh rather than replay the browser's buffer.
  function resume(media) {
    if (current.refetch) { current.refetch = false; media.load(); }
    media.play().catch(function () {});
  }

  function playAt(at, from) {
    var media = audio();
    if (current) { reportStop(current); media.pause(); } // now: the pause event comes late
    index = at;
    var item = queue[at];
    var entry = current = {
      track: item.track, title: item.title, artist: item.artist,
      heard: 0, last: 0, play: null, id: null, stream: false, note: "", from: from || 0,
    };
    resumeAt = 0;
    announce("Loading " + describe(entry));
    syncButtons();
    save();
    streamChoice(item.track).then(function (choice) {
      if (current !== entry) return; // another track was chosen meanwhile
      if (choice === "another-device") {
        announce(REFUSED[choice] + " Try again in a minute to play it here instead.");
        current = null;
        syncButtons();
        return;
      }
      entry.stream = choice === "stream";
      entry.note = entry.stream ? "" : REFUSED[choice] || "";
      offer(entry.stream ? null : choice);
      var saver = entry.stream && $("player-data-saver") && $("player-data-saver").checked;
      media.src = urlFor(entry.stream ? "streamUrl" : "clipUrl", item.track) +
        (saver ? "?quality=data-saver" : "");
      entry.saver = saver;
      media.play().catch(function () {});
    });
  }

  // -- radio ------------------------------------------------------------------------------

  function post(url, seconds) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (seconds !== null && seconds !== undefined) body.append("seconds", seconds.toFixed(2));
    return body;
  }

  function radioReport(entry) {
    if (!entry.station || !entry.heard) return;
    var url = entry.station.report, body = post(url, entry.heard);
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
        .catch(function () {});
    }
  }

  function skipsWords(station) {
    var left = station.skipsLeft;
    return left === 1 ? "1 skip left" : left + " skips left";
  }

  function radioMove(url, seconds) {
    var station = radio;
    announce(current ? "Asking " + station.name + " for the next track" : "Tuning in to " + station.name);
    return fetch(url, {
      method: "POST",
      body: post(url, seconds),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .catch(function () { return { ok: false, data: {} }; })
      .then(function (answer) {
        if (radio !== station) return; // left the radio meanwhile
        var data = answer.data || {};
        if (!answer.ok) { // a refused skip: what is on plays on
          announce(data.error || station.name + " is unavailable at the moment.");
          syncButtons();
          return;
        }
        station.skipsLeft = data.skipsLeft;
        var media = audio();
        current = null; // the seconds heard went with the request: no report on pausing
        media.pause();
        current = {
          track: String(data.track.id), title: data.track.title, artist: data.track.artist,
          heard: 0, last: 0, play: Promise.resolve(null), id: null, stream: true, note: "",
          from: data.at || 0, radio: true, station: station,
        };
        $("player-seek").max = String(data.track.seconds || 0);
        offer(null);
        media.src = data.src;
        media.play().catch(function () {});
        syncButtons();
      });
  }

  function radioStart(button) {
    var media = audio();
    if (current) { reportStop(current); media.pause(); }
    current = null;
    radio = {
      name: button.dataset.radioName || "Radio",
      tune: button.dataset.radioTune,
      next: button.dataset.radioNext,
      report: button.dataset.radioReport,
      skipsLeft: null,
    };
    radioMove(radio.tune, null);
  }

  function radioLeave() {
    if (!radio) return;
    if (current) { reportStop(current); audio().pause(); }
    radio = null;
    current = null;
  }

  function choose(button) {
    radioLeave();
    var item = itemOf(button);
    var media = audio();
    if (current && current.track === item.track) {
      if (media.paused) resume(media);
      else media.pause();
      return;
    }
    var found = queue.findIndex(function (queued) { return queued.track === item.track; });
    if (found < 0) { // played now, and kept in the queue after what was playing
      found = index + 1;
      queue.splice(found, 0, item);
    }
    playAt(found);
  }

  function playAll(button) {
    var scope = document.querySelector(button.dataset.playAll);
    if (!scope) return;
    radioLeave();
    var seen = {};
    queue = [];
    scope.querySelectorAll("button[data-preview-track]").forEach(function (each) {
      var item = itemOf(each);
      if (!seen[item.track]) { seen[item.track] = true; queue.push(item); }
    });
    if (queue.length) playAt(0);
  }

  function next() {
    if (radio) { if (current) radioMove(radio.next, current.heard); return; }
    if (index < queue.length - 1) playAt(index + 1);
  }
  function previous() {
    if (radio) return; // the station does not go back
    if (current && audio().currentTime > 3) audio().currentTime = 0; // as players do
    else if (index > 0) playAt(index - 1);
  }

  function toggle() {
    if (radio && !current) { radioMove(radio.tune, null); return; }
    if (current) {
      if (audio().paused) resume(audio());
      else audio().pause();
    } else if (queue.length) {
      playAt(Math.max(index, 0), resumeAt);
    }
  }

  function queueAction(button) {
    var at = Number(button.dataset.queueAt);
    var action = button.dataset.queueAction;
    if (!(at >= 0 && at < queue.length)) return;
    if (action === "remove") {
      var removed = queue.splice(at, 1)[0];
      if (at < index) index -= 1;
      else if (at === index) {
        if (current) { reportStop(current); audio().pause(); audio().removeAttribute("src"); }
        current = null;
        index = Math.min(index, queue.length - 1);
      }
      announce(removed.title + " removed from the queue");
    } else {
      var to = action === "up" ? at - 1 : at + 1;
      if (to < 0 || to >= queue.length) return;
      var moved = queue.splice(at, 1)[0];
      queue.splice(to, 0, moved);
      if (index === at) index = to;
      else if (index === to) index = at;
      announce(moved.title + " moved to " + (to + 1) + " of " + queue.length);
    }
    save();
    syncButtons();
    // Keep the keyboard where it was: on the same control of the moved row.
    var again = document.querySelector(
      '#player-queue-list [data-queue-action="' + action + '"][data-queue-at="' +
      (action === "remove" ? Math.min(at, queue.length - 1) : action === "up" ? at - 1 : at + 1) + '"]'
    );
    if (again && !again.disabled) again.focus();
    else if ($("player-queue-toggle")) $("player-queue-toggle").focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target.closest("button[data-preview-track]");
    if (button) return choose(button);
    var station = target.closest("button[data-radio-tune]");
    if (station) {
      return radio && radio.tune === station.dataset.radioTune ? toggle() : radioStart(station);
    }
    var all = target.closest("button[data-play-all]");
    if (all) return playAll(all);
    var action = target.closest("button[data-queue-action]");
    if (action) return queueAction(action);
    if (target.closest("#player-toggle")) return toggle();
    if (target.closest("#player-next")) return next();
    if (target.closest("#player-previous")) return previous();
    if (target.closest("#player-queue-toggle")) {
      var panel = $("player-queue");
      panel.hidden = !panel.hidden;
      $("player-queue-toggle").setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.id !== "player-data-saver") return;
    try { localStorage.setItem(SAVER, event.target.checked ? "1" : ""); } catch (e) { /* kept for this page */ }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id !== "player-seek" || !current || radio) return;
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
    if (current.radio) {
      announce("Playing " + describe(current) + " on " + current.station.name + " (" +
        skipsWords(current.station) + " this hour)");
    } else {
      announce("Playing " + what + (current.note ? ". " + current.note : ""));
    }
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
    if (current.from && current.from < media.duration) media.currentTime = current.from;
    current.from = 0;
  });
  onMedia("pause", function (media) {
    if (current.play) { // else a switch of track or a pause before playback began
      reportStop(current);
      if (!media.ended) announce("Paused " + describe(current));
    }
    save();
    syncButtons();
  });
  onMedia("ended", function () {
    announce("Finished " + describe(current));
    if (current.radio) { radioMove(current.station.next, current.heard); return; }
    if (index < queue.length - 1) { playAt(index + 1); return; }
    // Pressing play again is a new play: a fresh entry, so late answers touch the old one.
    current = Object.assign({}, current, { heard: 0, last: 0, play: null, id: null, refetch: true });
    syncButtons();
  });
  onMedia("error", function () {
    var entry = current;
    reportStop(entry); // if it broke off mid-play, the seconds heard still count
    if (entry.radio) { // the station moves on without a skip: press next
      announce(describe(entry) + " could not be played: press Skip for the next track.");
      return;
    }
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

  if ("mediaSession" in navigator) {
    var actions = {
      play: function () { if (!current || audio().paused) toggle(); },
      pause: function () { if (current && !audio().paused) audio().pause(); },
      previoustrack: previous,
      nexttrack: next,
      seekto: function (details) { if (current && !radio) audio().currentTime = details.seekTime; },
    };
    Object.keys(actions).forEach(function (name) {
      try { navigator.mediaSession.setActionHandler(name, actions[name]); } catch (e) { /* unsupported */ }
    });
  }

  function leaving() {
    if (current && !audio().paused) reportStop(current);
    save();
  }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leaving();
  });
  document.addEventListener("htmx:load", syncButtons); // new rows arrive unpressed
  try { $("player-data-saver").checked = localStorage.getItem(SAVER) === "1"; } catch (e) { /* off */ }
  restore();
  syncButtons();
})();
