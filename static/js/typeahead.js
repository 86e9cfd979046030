/* Suggestions under the header's search box, on every page (templates/_base.html).
 *
 * The box is a WAI-ARIA combobox with a listbox popup
 * (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/): htmx fetches the options as the
 * visitor types (hx-get on the box, debounced; hx-sync="this:replace" cancels the request
 * before), and this file does the rest of the pattern:
 *
 * - From 2 characters; fewer close the list at once and ask nothing.
 * - ArrowDown and ArrowUp move the active option (aria-activedescendant: focus stays in
 *   the box, so typing goes on), Enter follows the active option's link, Escape closes
 *   the list and keeps the text (a search box would clear it), Tab or a click elsewhere
 *   closes it. Enter with no active option submits the form to /search/, as it does
 *   without JavaScript.
 * - An answer is shown only if it is for the text in the box now: one that arrives
 *   late, for older text, or after Escape, is dropped.
 * - A polite live region says how many suggestions there are.
 *
 * The header is part of the body, which a boosted navigation swaps: everything here
 * listens on the document and finds the box by its id, and keeps what it must remember
 * on the box itself, so the new page's box works and starts afresh. The script is in
 * the page's head, run once per page load; the guard below keeps it to one setup should
 * it ever be run again.
 * Plain ES2017, no dependencies but htmx's events.
 */
(function () {
  "use strict";

  if (window.siteTypeahead) return;
  window.siteTypeahead = true;

  var INPUT = "site-search-q";
  var LISTBOX = "site-search-suggestions";
  var STATUS = "site-search-status";
  var MIN_LENGTH = 2; // store/catalogue/views/search.py, MIN_SUGGESTION_LENGTH
  var DISMISSED = "data-dismissed"; // on the box: Escape closed the list for this text

  function $(id) { return document.getElementById(id); }

  // As the server searches it: words apart by one space.
  function words(text) { return (text || "").trim().split(/\s+/).join(" "); }

  function options(listbox) {
    return Array.prototype.slice.call(listbox.querySelectorAll('[role="option"]'));
  }

  function activeOption(input) {
    var id = input.getAttribute("aria-activedescendant");
    return id ? $(id) : null;
  }

  function activate(input, listbox, option) {
    options(listbox).forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open(input, listbox) {
    if (!options(listbox).length) return false;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    return true;
  }

  function close(input, listbox) {
    activate(input, listbox, null);
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function announce(text) {
    var status = $(STATUS);
    if (status) status.textContent = text;
  }

  function forget(input, listbox) {
    close(input, listbox);
    listbox.replaceChildren();
    announce("");
  }

  function cancel(input) {
    if (window.htmx) window.htmx.trigger(input, "htmx:abort");
  }

  function parts() {
    var input = $(INPUT);
    var listbox = $(LISTBOX);
    return input && listbox ? { input: input, listbox: listbox } : null;
  }

  // The text an answer was for: the q of the request it answers.
  function askedFor(detail) {
    try {
      var url = new URL(detail.xhr.responseURL || detail.pathInfo.finalRequestPath, location.href);
      return words(url.searchParams.get("q"));
    } catch (e) {
      return null;
    }
  }

  // -- typing ---------------------------------------------------------------------------

  document.addEventListener("input", function (event) {
    var found = parts();
    if (!found || event.target !== found.input) return;
    found.input.removeAttribute(DISMISSED);
    activate(found.input, found.listbox, null);
    if (words(found.input.value).length < MIN_LENGTH) {
      cancel(found.input);
      forget(found.input, found.listbox);
    }
  });

  // Too short to ask about (the request htmx was about to send, once typing paused).
  document.addEventListener("htmx:confirm", function (event) {
    var found = parts();
    if (!found || event.detail.elt !== found.input) return;
    if (words(found.input.value).length < MIN_LENGTH) {
      event.preventDefault();
      forget(found.input, found.listbox);
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var found = parts();
    if (!found || event.detail.target !== found.listbox) return;
    var current = words(found.input.value);
    if (found.input.hasAttribute(DISMISSED) || askedFor(event.detail) !== current
        || current.length < MIN_LENGTH) {
      event.detail.shouldSwap = false; // for other text than the box's now
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var found = parts();
    if (!found || event.detail.target !== found.listbox) return;
    var count = options(found.listbox).length;
    activate(found.input, found.listbox, null);
    if (count && document.activeElement === found.input) open(found.input, found.listbox);
    else close(found.input, found.listbox);
    announce(count === 1 ? "1 suggestion" : (count || "No") + " suggestions");
  });

  // No answer (7digital's words refused, the network down): nothing is suggested rather
  // than the older text's suggestions.
  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var found = parts();
      if (found && event.detail.elt === found.input) forget(found.input, found.listbox);
    });
  });

  // -- keys -----------------------------------------------------------------------------

  function step(input, listbox, by) {
    var all = options(listbox);
    if (!all.length) return;
    if (listbox.hidden) {
      input.removeAttribute(DISMISSED);
      open(input, listbox);
    }
    var index = all.indexOf(activeOption(input));
    var next = index === -1 ? (by > 0 ? 0 : all.length - 1) : (index + by + all.length) % all.length;
    activate(input, listbox, all[next]);
  }

  document.addEventListener("keydown", function (event) {
    var found = parts();
    if (!found || event.target !== found.input || event.altKey || event.ctrlKey
        || event.metaKey || event.isComposing) return;
    var input = found.input;
    var listbox = found.listbox;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (!options(listbox).length) return;
        event.preventDefault(); // the caret stays where it is
        step(input, listbox, event.key === "ArrowDown" ? 1 : -1);
        break;
      case "Enter": {
        var option = listbox.hidden ? null : activeOption(input);
        if (!option) return; // the form is sent: the results page
        event.preventDefault();
        close(input, listbox);
        option.click(); // a link like any other: boosted, or loaded by the browser
        break;
      }
      case "Escape":
        if (listbox.hidden) return; // the search box's own Escape: clear the text
        event.preventDefault();
        input.setAttribute(DISMISSED, "");
        cancel(input);
        close(input, listbox);
        break;
      default:
    }
  });

  // -- leaving ----------------------------------------------------------------------------

  // A press on an option must not take focus from the box before its click follows it.
  document.addEventListener("mousedown", function (event) {
    var found = parts();
    if (found && found.listbox.contains(event.target)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var found = parts();
    if (!found || found.listbox.hidden) return;
    if (event.target !== found.input && !found.listbox.contains(event.target)) {
      close(found.input, found.listbox);
    }
  });

  document.addEventListener("focusout", function (event) {
    var found = parts();
    if (!found || event.target !== found.input) return;
    if (!found.listbox.contains(event.relatedTarget)) close(found.input, found.listbox);
  });
})();
