/* Moving around the shop without reloading the page (templates/_base.html).
 *
 * The layout boosts its links and forms (hx-boost): htmx fetches the next page and swaps
 * the <body>, keeping #player (hx-preserve), so a preview plays on. A swap does not do
 * what a page load does for free, so this file does it:
 *
 * - Focus. After a boosted navigation or a return through history, focus goes to the
 *   new page's main heading (or <main>), which a screen reader announces. After a swap
 *   of one region (a letter, a tab, a page of results) that took the focused control
 *   away, focus goes to the same control in the new region (the letter or tab just
 *   chosen, now current), else to the region's heading: never back to <body> (WCAG
 *   2.4.3), and without scrolling the page.
 * - Scroll. htmx puts a boosted page at its top; back and forward put it where it was.
 * - Errors and strangers. A boosted navigation to a missing or failing page shows that
 *   page, as a page load would (htmx leaves error answers out by default). A link that
 *   turns out not to lead to a page in the layout (a file, the admin, a bare error), or
 *   to a site that cannot be reached, is loaded by the browser itself.
 * - The country form comes back to the page shown when it is sent: a region's swap may
 *   have pushed a newer URL than the one the header was rendered for.
 * - The header's Menu (a <details>, which opens and closes without JavaScript) closes on
 *   Escape, giving focus back to its button, and on a click or focus outside it, as a
 *   disclosure menu is expected to.
 *
 * Plain ES2017, no dependencies but htmx's events.
 */
(function () {
  "use strict";

  var SCROLL_KEY = "navigation-scroll"; // sessionStorage: {path: scrollY}
  var SCROLL_PAGES = 50; // the pages whose place is remembered, most recent last
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  var handled = new WeakSet(); // the requests already answered (events fire per element)
  var pending = null; // {xhr, href, index, id}: a region swap replaces the focused control

  function focusQuietly(element) {
    if (!element.matches(FOCUSABLE)) {
      element.setAttribute("tabindex", "-1");
      element.setAttribute("data-focus-target", "");
    }
    element.focus({ preventScroll: true });
  }

  function focusPage() {
    var main = document.getElementById("main");
    if (main) focusQuietly(main.querySelector("h1") || main);
  }

  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function linksTo(region, href) {
    return Array.prototype.filter.call(region.querySelectorAll("a[href]"), function (a) {
      return a.getAttribute("href") === href;
    });
  }

  // The control in the new region that stands for the one that was focused: the link to
  // the same address (the same one of them, as "0-9" and "0" share theirs), else the
  // region's heading (a new page of results), else the region.
  function counterpart(region, swap) {
    if (swap.href) {
      var links = linksTo(region, swap.href);
      var link = links[swap.index] || links[0];
      if (link) return { element: link, control: true };
    }
    return { element: region.querySelector("h1, h2, h3") || region, control: false };
  }

  function rememberScroll(path) {
    try {
      var positions = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "{}");
      delete positions[path]; // re-added last: the oldest go first past SCROLL_PAGES
      positions[path] = window.scrollY;
      var paths = Object.keys(positions);
      paths.slice(0, Math.max(0, paths.length - SCROLL_PAGES)).forEach(function (old) {
        delete positions[old];
      });
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify(positions));
    } catch (e) { /* no storage: back and forward start at the top */ }
  }

  function rememberedScroll(path) {
    try {
      return JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "{}")[path] || 0;
    } catch (e) {
      return 0;
    }
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var next = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-current-page]");
    if (next && event.detail.formData) {
      event.detail.formData.set(next.name, location.pathname + location.search);
    }
  });

  // Whether a boosted answer is one of the shop's pages: HTML in the layout, whose player
  // the swap keeps.
  function inLayout(detail) {
    var type = detail.xhr.getResponseHeader("Content-Type") || "";
    return type.indexOf("text/html") === 0 && detail.serverResponse.indexOf('id="player"') !== -1;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.boosted) {
      if (inLayout(detail)) {
        if (detail.isError) { // the 404 or 503 page, shown as a page load would show it
          detail.shouldSwap = true;
          detail.isError = false;
        }
      } else if (detail.requestConfig && detail.requestConfig.verb === "get") {
        // Not a page of the shop (a file, the admin, a bare error): the browser loads it.
        detail.shouldSwap = false;
        location.assign(detail.xhr.responseURL || detail.pathInfo.finalRequestPath);
      }
      return;
    }
    var active = document.activeElement;
    if (!detail.boosted && detail.target && active && active !== document.body
        && detail.target.contains(active)) {
      var href = active.getAttribute("href");
      pending = {
        xhr: detail.xhr,
        href: href,
        index: href ? linksTo(detail.target, href).indexOf(active) : -1,
        id: detail.target.id,
      };
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    if (!detail.xhr || handled.has(detail.xhr)) return;
    handled.add(detail.xhr);
    if (detail.boosted) {
      focusPage();
      return;
    }
    if (!pending || pending.xhr !== detail.xhr) return;
    var swap = pending;
    pending = null;
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) return; // kept
    var region = (swap.id && document.getElementById(swap.id)) || event.target;
    var found = counterpart(region, swap);
    focusQuietly(found.element);
    if (!found.control && !inView(found.element)) {
      found.element.scrollIntoView({ block: "start" }); // a new page of results: its top
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var detail = event.detail;
    if (detail.boosted && detail.requestConfig && detail.requestConfig.verb === "get") {
      location.assign(detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
    }
  });

  // The path htmx gives, not location's: when back is pressed, location already names
  // the page being returned to while the one being left is saved.
  document.addEventListener("htmx:beforeHistorySave", function (event) {
    rememberScroll(event.detail.path);
  });

  document.addEventListener("htmx:historyRestore", function (event) {
    window.scrollTo(0, rememberedScroll(event.detail.path));
    focusPage();
  });

  function openMenu() { return document.querySelector("details.header-menu[open]"); }

  document.addEventListener("keydown", function (event) {
    var menu = openMenu();
    if (event.key !== "Escape" || !menu || !menu.contains(document.activeElement)) return;
    // Only where the menu shows as a disclosure: wide screens lay its contents out in
    // the header's row, and an Escape there belongs to whatever has focus.
    if (getComputedStyle(menu.querySelector("summary")).display === "none") return;
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });

  ["click", "focusin"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var menu = openMenu();
      if (menu && !menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
