/* A track row's "Add to a playlist" (templates/playlists/partials/row_add.html): the "+"
 * fetches a small menu into its row (htmx, hx-get), whose form answers in place
 * (templates/playlists/partials/add_menu.html), so the page and its player stay as they
 * are. This file makes it a disclosure:
 *
 * - The "+" toggles: a second press closes the menu instead of fetching another one,
 *   and opening one closes any other. aria-expanded says which is open.
 * - Opening puts focus in the menu's first field; Cancel, Close or Escape close it and
 *   give focus back to the "+".
 * - If the menu cannot be fetched, the "+" goes to the add page, as without JavaScript.
 * Everything listens on the document: rows swapped in later (pages, htmx) work alike.
 */
(function () {
  "use strict";

  if (window.siteRowAdd) return;
  window.siteRowAdd = true;

  var answering = null; // the row whose menu's form was sent

  function rowOf(element) { return element.closest("li"); }

  function close(menu, refocus) {
    var row = rowOf(menu);
    var opener = row && row.querySelector(".row-add");
    menu.remove();
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      if (refocus) opener.focus();
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var opener = event.detail.elt;
    if (opener.closest && opener.closest("[data-row-add-menu]")) answering = rowOf(opener);
    if (!opener.classList || !opener.classList.contains("row-add")) return;
    var open = rowOf(opener).querySelector("[data-row-add-menu]");
    document.querySelectorAll("[data-row-add-menu]").forEach(function (menu) {
      close(menu, false);
    });
    if (open) event.preventDefault(); // the second press closes it
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var config = event.detail.requestConfig;
    var elt = config && config.elt ? config.elt : event.detail.elt;
    var menu = null;
    if (elt.classList && elt.classList.contains("row-add")) {
      elt.setAttribute("aria-expanded", "true");
      var menus = rowOf(elt).querySelectorAll("[data-row-add-menu]");
      menu = menus[menus.length - 1];
    } else if (answering) { // the menu's form answered in place
      menu = answering.querySelector("[data-row-add-menu]");
      answering = null;
    }
    if (!menu) return;
    var first = menu.querySelector("[data-row-add-first], [role=status] a, a, button");
    if (first) first.focus();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var opener = event.detail.elt;
    if (opener.classList && opener.classList.contains("row-add")) location.href = opener.href;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-row-add-close]");
    if (button) close(button.closest("[data-row-add-menu]"), true);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("[data-row-add-menu]");
    if (menu) close(menu, true);
  });
})();
