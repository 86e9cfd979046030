/* Lists whose order is changed in place (templates/playlists/studio/partials/tracks.html):
 * a section marked data-reorder, re-rendered by the server after each change (htmx swaps
 * the whole section), whose rows (li[draggable]) each have a form that moves them.
 *
 * - Keyboard: the rows' arrow buttons and position boxes are ordinary forms. After the
 *   swap, focus goes back to the same control of the same row (data-focus), or, when
 *   that control is now disabled (the row reached the top or the bottom), to the row's
 *   other arrow, so a keyboard user can press Enter again and again. After a removal,
 *   to the row that took the removed one's place (or the status, when none is left).
 * - Mouse and touch screens with a mouse: a row is dragged (HTML drag and drop) and
 *   dropped on another row, whose place it takes.
 * - The section carries the playlist's lastUpdated (data-seen) as it now is; every other
 *   form of the page that carries "seen" is brought up to date, so that the editor's own
 *   change does not make their next one look stale: unless the section says the change
 *   was refused (data-problem), when they keep what their page showed.
 * - Boxes ticked in a form marked data-reorder-clears (the search results to add) are
 *   unticked once they have been added together.
 * - A refusal the server words as text (400, 503) is shown in the section's status.
 * - A studio form htmx does not send itself (a search, Publish, the details, Delete),
 *   submitted while a change of the list is on its way, waits for the change's answer
 *   (at most 15 s): a page read before the change is saved would show the list without
 *   it, and a form carrying the lastUpdated from before it would be refused as stale.
 * Without JavaScript the forms post and the page comes back: the same result.
 */
(function () {
  "use strict";

  if (window.siteReorder) return;
  window.siteReorder = true;

  var focusFor = new WeakMap(); // a request (its xhr): where focus goes when it settles
  var dragged = null;

  function sectionOf(element) {
    return element && element.closest ? element.closest("[data-reorder]") : null;
  }

  function say(section, words) {
    var status = section && section.querySelector("[data-reorder-status]");
    if (!status) return;
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = words;
    status.replaceChildren(p);
  }

  function rowsOf(section) {
    return Array.prototype.slice.call(section.querySelectorAll("li[draggable]"));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var section = sectionOf(event.detail.elt);
    if (!section) return;
    // Which control of which row had focus: the row (its id, and its place for when it
    // is removed) and the control's data-focus (the position form's Move button: its
    // position box; Remove: whatever the next row offers).
    var active = document.activeElement;
    var row = active && active.closest ? active.closest("li[draggable]") : null;
    var key = active && active.dataset ? active.dataset.focus : null;
    if (!key && active && active.form) {
      var box = active.form.querySelector("[data-focus]");
      key = box ? box.dataset.focus : null;
    }
    if (row) {
      focusFor.set(event.detail.xhr, {
        row: row.id, place: rowsOf(section).indexOf(row), control: key
      });
    }
  });

  function refocus(section, wanted) {
    var rows = rowsOf(section);
    var row = document.getElementById(wanted.row);
    if (!row || !section.contains(row)) { // removed: the row now in its place
      row = rows[Math.min(wanted.place, rows.length - 1)];
    }
    var order = [wanted.control, "up", "down", "position"];
    for (var i = 0; row && i < order.length; i++) {
      var control = order[i] && row.querySelector('[data-focus="' + order[i] + '"]');
      if (control && !control.disabled) {
        control.focus();
        return;
      }
    }
    var status = section.querySelector("[data-reorder-status]");
    if (status) status.focus(); // the list is empty now: what happened is said there
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var section = event.detail.target && document.getElementById(event.detail.target.id);
    if (!section || !section.matches("[data-reorder]")) return;
    // This request's own: an earlier one settling late must not take a later one's.
    var wanted = event.detail.xhr ? focusFor.get(event.detail.xhr) : null;
    if (!section.hasAttribute("data-problem")) {
      // The page's other forms carry the new lastUpdated; after a refusal (another
      // editor's change) they keep theirs, so that a stale details form stays refused.
      var seen = section.dataset.seen;
      document.querySelectorAll('input[name="seen"]').forEach(function (input) {
        input.value = seen;
      });
      // What was ticked to be added has been (not when one result's own Add was used).
      var config = event.detail.requestConfig;
      var form = config && config.elt && config.elt.closest
        ? config.elt.closest("[data-reorder-clears]") : null;
      if (form && !config.formData.has("track")) {
        form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
          box.checked = false;
        });
      }
    }
    if (wanted) refocus(section, wanted);
  });

  // -- changes on their way ------------------------------------------------------------

  var sent = new Set(); // changes of a list sent and not yet answered (their xhr)
  var held = null; // the form that waits for them: {form, submitter, timer}
  var HOLD_AT_MOST_MS = 15000;

  function release() {
    if (!held || sent.size) return;
    var form = held.form, submitter = held.submitter;
    clearTimeout(held.timer);
    held = null;
    if (!form.isConnected) return;
    // The change was answered and swapped in (htmx swaps as the answer arrives): the
    // form carries the playlist's lastUpdated as it now is, unless the change was
    // refused, when it keeps what its page showed (as the section's own forms do).
    var section = document.querySelector("[data-reorder]");
    var seen = form.querySelector('input[name="seen"]');
    if (section && seen && !section.hasAttribute("data-problem")) {
      seen.value = section.dataset.seen;
    }
    form.requestSubmit(submitter && submitter.isConnected && submitter.form === form
      ? submitter : undefined);
  }

  document.addEventListener("htmx:beforeSend", function (event) {
    if (!sectionOf(event.detail.target)) return;
    var xhr = event.detail.xhr;
    sent.add(xhr);
    // loadend comes whatever became of the request or of the element that sent it.
    xhr.addEventListener("loadend", function () {
      sent.delete(xhr);
      release();
    });
  });

  // A studio form htmx does not send itself (a search, Publish, the details, Delete):
  // sent once the changes on their way are answered, whatever the answers.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!sent.size || !form.closest || !form.closest("[data-studio]")) return;
    if (form.matches("[hx-get], [hx-post], [data-hx-get], [data-hx-post]")) return;
    event.preventDefault();
    event.stopPropagation();
    if (held) clearTimeout(held.timer);
    held = {
      form: form,
      submitter: event.submitter,
      timer: setTimeout(function () { // or, should an answer never come, after a while
        sent.clear();
        release();
      }, HOLD_AT_MOST_MS)
    };
  }, true);

  document.addEventListener("htmx:responseError", function (event) {
    var section = sectionOf(event.detail.elt) || document.querySelector("[data-reorder]");
    if (!section) return;
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    say(section, type.indexOf("text/plain") === 0 && xhr.responseText
      ? xhr.responseText
      : "That did not work: nothing was changed. Try again.");
  });

  document.addEventListener("htmx:sendError", function (event) {
    var section = sectionOf(event.detail.elt);
    if (section) say(section, "The shop did not answer: nothing was changed. Try again.");
  });

  // -- dragging ----------------------------------------------------------------------

  function rowOf(target) {
    var row = target && target.closest ? target.closest("li[draggable]") : null;
    return row && sectionOf(row) ? row : null;
  }

  function clearMarks() {
    document.querySelectorAll(".drop-before, .drop-after").forEach(function (row) {
      row.classList.remove("drop-before", "drop-after");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var row = rowOf(event.target);
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.item);
  });

  document.addEventListener("dragover", function (event) {
    var row = rowOf(event.target);
    if (!dragged || !row || row === dragged || row.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var rows = Array.prototype.slice.call(row.parentNode.children);
    clearMarks();
    row.classList.add(rows.indexOf(row) < rows.indexOf(dragged) ? "drop-before" : "drop-after");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });

  document.addEventListener("drop", function (event) {
    var row = rowOf(event.target);
    var moving = dragged;
    if (!moving || !row || row === moving || row.parentNode !== moving.parentNode) return;
    event.preventDefault();
    var section = sectionOf(row);
    var position = Array.prototype.slice.call(row.parentNode.children).indexOf(row) + 1;
    var form = moving.querySelector("form");
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    htmx.ajax("POST", form.getAttribute("action"), {
      source: moving,
      target: "#" + section.id,
      swap: "outerHTML",
      values: {
        position: position,
        seen: section.dataset.seen,
        csrfmiddlewaretoken: token ? token.value : ""
      }
    });
  });
})();
