// Hover and focus previews of cross-references and citations: pointing at (or tabbing to) a
// link to a figure, table, section or reference shows a card with its caption, opening text
// or bibliography entry; Escape, leaving the link or moving focus away hides it. The previews
// (assets/preview-data.js, written by the build) are loaded on first use, as a classic script
// so that they work from file:// too.
(function () {
  "use strict";
  var DATA = "assets/preview-data.js";
  var TARGET = /^(fig|tbl|sec|eq|ref)-/;
  var card = null;
  var current = null;
  var timer = null;
  var state = null;  // null, "loading", "ready" or "failed"
  var queued = null;

  function targetId(link) {
    var href = link.getAttribute("href") || "";
    var hash = href.indexOf("#");
    if (hash < 0) return null;
    var id = decodeURIComponent(href.slice(hash + 1));
    return TARGET.test(id) ? id : null;
  }

  function load(then) {
    queued = then;
    if (state === "ready" || state === "failed") { run(); return; }
    if (state === "loading") return;
    state = "loading";
    var script = document.createElement("script");
    script.src = DATA;
    script.onload = function () { state = "ready"; run(); };
    script.onerror = function () { state = "failed"; };
    document.head.appendChild(script);
  }
  function run() { var then = queued; queued = null; if (then) then(); }

  function ensureCard() {
    if (card) return card;
    card = document.createElement("div");
    card.id = "xref-preview";
    card.className = "xref-preview";
    card.setAttribute("role", "tooltip");
    card.hidden = true;
    card.addEventListener("mouseenter", function () { clearTimeout(timer); });
    card.addEventListener("mouseleave", function () { hideSoon(); });
    document.body.appendChild(card);
    return card;
  }

  function fill(preview) {
    var box = ensureCard();
    box.textContent = "";
    if (preview.title) {
      var title = document.createElement("p");
      title.className = "xref-preview-title";
      title.textContent = preview.title;
      box.appendChild(title);
    }
    if (preview.text) {
      var text = document.createElement("p");
      text.textContent = preview.text;
      box.appendChild(text);
    }
  }

  function place(link) {
    var rect = link.getBoundingClientRect();
    var width = Math.min(360, document.documentElement.clientWidth - 16);
    card.style.width = width + "px";
    var left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    card.style.left = (left + window.scrollX) + "px";
    card.hidden = false;
    var below = rect.bottom + 8;
    var fitsBelow = below + card.offsetHeight < window.innerHeight;
    var top = fitsBelow ? below : Math.max(8, rect.top - card.offsetHeight - 8);
    card.style.top = (top + window.scrollY) + "px";
  }

  function show(link) {
    var id = targetId(link);
    if (!id) return;
    load(function () {
      var all = window.BOOK_PREVIEWS || {};
      var preview = Object.prototype.hasOwnProperty.call(all, id) ? all[id] : null;
      if (!preview || (!preview.text && !preview.title)) return;
      if (current && current !== link) current.removeAttribute("aria-describedby");
      current = link;
      fill(preview);
      link.setAttribute("aria-describedby", "xref-preview");
      place(link);
    });
  }

  function hide() {
    clearTimeout(timer);
    if (card) card.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }
  function hideSoon() { clearTimeout(timer); timer = setTimeout(hide, 150); }

  function linkOf(event) {
    var link = event.target.closest ? event.target.closest("main a[href]") : null;
    return link && targetId(link) ? link : null;
  }

  document.addEventListener("mouseover", function (event) {
    var link = linkOf(event);
    if (!link) return;
    clearTimeout(timer);
    timer = setTimeout(function () { show(link); }, 250);
  });
  document.addEventListener("mouseout", function (event) {
    // only the link whose preview is shown hides it (a page scrolled by focusing another link
    // moves the pointer off this one, which must not close the focused link's preview)
    var link = linkOf(event);
    if (!link) return;
    if (link === current || !current) hideSoon(); else clearTimeout(timer);  // cancel its show
  });
  document.addEventListener("focusin", function (event) {
    var link = linkOf(event);
    if (link) { clearTimeout(timer); show(link); } else if (current) hide();
  });
  document.addEventListener("focusout", function (event) {
    if (linkOf(event)) hideSoon();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && card && !card.hidden) hide();
  });
  window.addEventListener("scroll", function () { if (current && card && !card.hidden) place(current); },
                          { passive: true });
})();
