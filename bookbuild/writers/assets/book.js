// The HTML edition's behaviour: contents drawer, theme switch, search, keyboard shortcuts,
// the current section in "On this page", and keyboard access to wide tables.
// Everything works from file://: the search documents arrive by <script>, never by fetch.
(function () {
  "use strict";
  var root = document.documentElement;
  var narrow = window.matchMedia("(max-width: 56rem)");

  function store(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* storage disabled */ }
  }

  // ---- Table of contents: a column on wide screens, a drawer on narrow ones. ----
  var toggle = document.querySelector(".sidebar-toggle");
  var sidebar = document.getElementById("sidebar");
  var backdrop = document.querySelector(".sidebar-backdrop");

  function sidebarShown() {
    return narrow.matches ? root.classList.contains("sidebar-open")
                          : !root.classList.contains("sidebar-collapsed");
  }
  function syncToggle() {
    toggle.setAttribute("aria-expanded", sidebarShown() ? "true" : "false");
  }
  function closeDrawer(focusButton) {
    if (!root.classList.contains("sidebar-open")) return;
    root.classList.remove("sidebar-open");
    syncToggle();
    if (focusButton) toggle.focus();
  }
  if (toggle && sidebar) {
    toggle.addEventListener("click", function () {
      if (narrow.matches) {
        var open = root.classList.toggle("sidebar-open");
        syncToggle();
        if (open) {
          var current = sidebar.querySelector('[aria-current="page"]') || sidebar.querySelector("a");
          if (current) current.focus();
        }
      } else {
        var collapsed = root.classList.toggle("sidebar-collapsed");
        store("book-sidebar", collapsed ? "collapsed" : "shown");
        syncToggle();
      }
    });
    if (backdrop) backdrop.addEventListener("click", function () { closeDrawer(true); });
    sidebar.addEventListener("click", function (event) {
      if (event.target.closest("a")) closeDrawer(false);
    });
    narrow.addEventListener("change", function () { root.classList.remove("sidebar-open"); syncToggle(); });
    syncToggle();
  }

  // ---- Keep the current chapter in view in a long table of contents. ----
  var active = sidebar && sidebar.querySelector("li.active");
  if (active && !narrow.matches) {
    var top = active.getBoundingClientRect().top - sidebar.getBoundingClientRect().top + sidebar.scrollTop;
    if (top + active.offsetHeight > sidebar.clientHeight) sidebar.scrollTop = top - sidebar.clientHeight / 3;
  }

  // ---- Light and dark theme. ----
  var themeButton = document.querySelector(".theme-toggle");
  function applyTheme(dark) {
    root.setAttribute("data-theme-now", dark ? "dark" : "light");
    if (themeButton) themeButton.setAttribute("aria-pressed", dark ? "true" : "false");
  }
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  applyTheme(root.getAttribute("data-theme-now") === "dark");
  systemDark.addEventListener("change", function (event) {
    if (!root.hasAttribute("data-theme")) applyTheme(event.matches);
  });
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      var dark = root.getAttribute("data-theme-now") !== "dark";
      root.setAttribute("data-theme", dark ? "dark" : "light");
      store("book-theme", dark ? "dark" : "light");
      applyTheme(dark);
    });
  }

  // ---- Search (MiniSearch over one document per section). ----
  var input = document.getElementById("search-input");
  var panel = document.getElementById("search-results");
  var form = input ? input.form : null;
  var statusLine = panel ? panel.querySelector(".search-status") : null;
  var list = panel ? panel.querySelector(".search-list") : null;
  var engine = null;
  var CJK = /[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/;
  var WORD = /[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+|[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

  // Latin words as they are; runs of Chinese characters as overlapping pairs (and a lone
  // character as itself), since Chinese text has no spaces between words.
  // Accents and compatibility widths removed (NFKD without combining marks), lower case,
  // curly apostrophes straight: the index and the query meet in this one form.
  function fold(term) {
    return String(term).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\u2019/g, "'");
  }

  function tokenize(text) {
    var tokens = [];
    var runs = String(text).match(WORD) || [];
    for (var i = 0; i < runs.length; i++) {
      var run = runs[i];
      if (!CJK.test(run)) { tokens.push(run); continue; }
      var chars = Array.from(run);
      if (chars.length === 1) { tokens.push(run); continue; }
      for (var j = 0; j + 1 < chars.length; j++) tokens.push(chars[j] + chars[j + 1]);
    }
    return tokens;
  }

  // The search library and the index are loaded when search is first used (the reader
  // heads for the box or presses "/"), not on every page: classic scripts, so file:// works.
  var SEARCH_SCRIPTS = ["assets/vendor/minisearch.js", "assets/search-index.js"];
  var loading = null;
  var waiting = [];
  function loadSearch(then) {
    if (then) waiting.push(then);
    if (loading === "done" || loading === "failed") { flush(); return; }
    if (loading) return;
    loading = "started";
    var next = 0;
    (function one() {
      if (next === SEARCH_SCRIPTS.length) { loading = "done"; flush(); return; }
      var script = document.createElement("script");
      script.src = SEARCH_SCRIPTS[next++];
      script.onload = one;
      script.onerror = function () { loading = "failed"; flush(); };
      document.head.appendChild(script);
    })();
  }
  function flush() {
    var callbacks = waiting;
    waiting = [];
    for (var i = 0; i < callbacks.length; i++) callbacks[i]();
  }

  function buildEngine() {
    if (engine) return engine;
    if (typeof window.MiniSearch !== "function" || !Array.isArray(window.BOOK_SEARCH_DOCUMENTS)) {
      return null;
    }
    engine = new window.MiniSearch({
      fields: ["section", "chapter", "text"],
      storeFields: ["url", "page", "chapter", "section", "text", "weight"],
      tokenize: tokenize,
      // accents, widths, case and curly apostrophes folded: "communique" finds "communiqué"
      processTerm: fold,
      searchOptions: {
        boost: { section: 3, chapter: 1.5 },
        prefix: function (term) { return term.length > 2; },
        fuzzy: function (term) { return term.length > 4 && !CJK.test(term) ? 0.2 : false; },
        combineWith: "AND",
        // The build gives the bibliography a weight below 1, so chapters come first.
        boostDocument: function (id, term, stored) {
          return stored && typeof stored.weight === "number" ? stored.weight : 1;
        }
      }
    });
    engine.addAll(window.BOOK_SEARCH_DOCUMENTS);
    return engine;
  }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // Where the (folded) `terms` occur in `text`, as [start, end) offsets into `text` itself:
  // the text is folded character by character, remembering where each piece came from.
  function matches(text, terms) {
    if (!text || !terms.length) return [];
    var folded = "", starts = [], ends = [], at = 0;
    for (var ch of text) {
      var piece = fold(ch);
      for (var k = 0; k < piece.length; k++) { folded += piece[k]; starts.push(at); ends.push(at + ch.length); }
      at += ch.length;
    }
    var pattern = new RegExp(terms.map(escapeRegExp).join("|"), "gu");
    var found = [], match;
    while ((match = pattern.exec(folded)) !== null) {
      if (!match[0]) { pattern.lastIndex++; continue; }
      found.push([starts[match.index], ends[match.index + match[0].length - 1]]);
    }
    return found;
  }

  // `text` from `start` to `end` as text nodes, with the `hits` inside it as <mark>s.
  function marked(text, start, end, hits, className) {
    var fragment = document.createDocumentFragment();
    var last = start;
    for (var i = 0; i < hits.length; i++) {
      var from = Math.max(hits[i][0], last), to = Math.min(hits[i][1], end);
      if (from >= to) continue;
      fragment.appendChild(document.createTextNode(text.slice(last, from)));
      var mark = document.createElement("mark");
      if (className) mark.className = className;
      mark.textContent = text.slice(from, to);
      fragment.appendChild(mark);
      last = to;
    }
    fragment.appendChild(document.createTextNode(text.slice(last, end)));
    return fragment;
  }

  // A short passage around the first match, built as text nodes and <mark> elements.
  function snippet(text, terms) {
    var fragment = document.createDocumentFragment();
    if (!text) return fragment;
    var hits = matches(text, terms);
    var first = hits.length ? hits[0][0] : -1;
    var start = Math.max(0, first - 60);
    if (start > 0) { var space = text.indexOf(" ", start); if (space > 0 && space < first) start = space + 1; }
    var end = Math.min(text.length, start + 200);
    if (start > 0) fragment.appendChild(document.createTextNode("… "));
    fragment.appendChild(marked(text, start, end, hits));
    if (end < text.length) fragment.appendChild(document.createTextNode(" …"));
    return fragment;
  }

  // The terms of a followed result travel to its page (sessionStorage: works from file://
  // too), which marks them where they occur and scrolls to the first when there is no anchor.
  var HIT_KEY = "book-search-hit";
  function remember(link) {
    try {
      sessionStorage.setItem(HIT_KEY, JSON.stringify({
        page: link.getAttribute("href").split("#")[0], terms: JSON.parse(link.dataset.terms || "[]")
      }));
    } catch (e) { /* storage unavailable: the page simply opens unmarked */ }
  }
  function markArrival() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(HIT_KEY) || "null"); sessionStorage.removeItem(HIT_KEY); }
    catch (e) { return; }
    var here = window.location.pathname.split("/").pop() || "index.html";
    var main = document.querySelector("main");
    if (!saved || saved.page !== here || !main || !saved.terms.length) return;
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentNode.closest("script, style, mark") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var firstMark = null;
    for (var i = 0; i < nodes.length; i++) {
      var hits = matches(nodes[i].data, saved.terms);
      if (!hits.length) continue;
      var replacement = marked(nodes[i].data, 0, nodes[i].data.length, hits, "search-hit");
      firstMark = firstMark || replacement.querySelector("mark");
      nodes[i].parentNode.replaceChild(replacement, nodes[i]);
    }
    if (firstMark && !window.location.hash) firstMark.scrollIntoView({ block: "center" });
  }
  markArrival();

  function resultItem(result) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = result.url;
    a.dataset.terms = JSON.stringify(result.terms);
    var chapter = document.createElement("span");
    chapter.className = "result-chapter";
    chapter.textContent = result.chapter;
    var section = document.createElement("span");
    section.className = "result-section";
    section.textContent = result.section;
    var text = document.createElement("span");
    text.className = "result-snippet";
    text.appendChild(snippet(result.text, result.terms));
    if (result.section !== result.chapter) a.appendChild(chapter);
    a.appendChild(section);
    a.appendChild(text);
    li.appendChild(a);
    return li;
  }

  function runSearch() {
    var query = input.value.trim();
    list.textContent = "";
    if (!query) { panel.hidden = true; return; }
    panel.hidden = false;
    if (loading !== "done" && loading !== "failed") {
      statusLine.textContent = "Loading the search index…";
      loadSearch(runSearch);
      return;
    }
    var index = buildEngine();
    if (!index) { statusLine.textContent = "Search is unavailable: its index did not load."; return; }
    var results = index.search(query);
    if (!results.length) results = index.search(query, { combineWith: "OR" });
    var shown = results.slice(0, 25);
    statusLine.textContent = results.length
      ? results.length + (results.length === 1 ? " section matches " : " sections match ") + "“" + query + "”"
      : "Nothing matches “" + query + "”";
    for (var i = 0; i < shown.length; i++) list.appendChild(resultItem(shown[i]));
  }

  function resultLinks() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
  function closeSearch() { if (panel) panel.hidden = true; }

  if (input && panel) {
    input.addEventListener("input", runSearch);
    input.addEventListener("click", function () { if (panel.hidden) runSearch(); });
    // Index the documents as soon as the reader heads for the box, not on every page load.
    input.addEventListener("focus", function () { loadSearch(buildEngine); });
    form.addEventListener("pointerenter", function () { loadSearch(buildEngine); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = resultLinks()[0];
      if (first) { remember(first); window.location.href = first.href; }
    });
    form.addEventListener("keydown", function (event) {
      var links = resultLinks();
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && panel.hidden && event.target === input) {
        event.preventDefault();
        runSearch();
      } else if (event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        links[Math.min(at + 1, links.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        if (at === 0) input.focus(); else links[at - 1].focus();
      } else if (event.key === "Escape") {
        closeSearch();
        input.focus();
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) closeSearch();
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (link) remember(link);
    });
  }

  // ---- Keyboard: "/" searches, ← and → turn pages, Escape closes the drawer. ----
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "Escape") { closeDrawer(true); return; }
    if (typing) return;
    if ((event.key === "/" || event.key === "s") && input) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && !event.shiftKey) {
      var link = document.querySelector(event.key === "ArrowLeft" ? 'link[rel="prev"]' : 'link[rel="next"]');
      var selection = window.getSelection && String(window.getSelection());
      if (link && !selection) window.location.href = link.getAttribute("href");
    }
  });

  // ---- "On this page": mark the section being read. ----
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".page-toc a"));
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    var headings = [];
    tocLinks.forEach(function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var target = document.getElementById(id);
      // a section's heading (Quarto's section wrappers carry the id), else the element itself
      var heading = target && target.tagName === "SECTION" ? target.querySelector(".anchored") : target;
      if (heading) { byId[id] = a; heading.setAttribute("data-toc-id", id); headings.push(heading); }
    });
    var visible = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        visible[entry.target.getAttribute("data-toc-id")] = entry.isIntersecting;
      });
      var current = null;
      for (var i = 0; i < headings.length; i++) {
        var headingId = headings[i].getAttribute("data-toc-id");
        if (visible[headingId]) { current = headingId; break; }
        if (headings[i].getBoundingClientRect().top < 0) current = headingId;
      }
      tocLinks.forEach(function (a) { a.classList.remove("current"); });
      if (current && byId[current]) byId[current].classList.add("current");
    }, { rootMargin: "-10% 0px -70% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
  }

  // ---- A "#" link after each section heading, to copy a link to that section. ----
  // (a heading in a section names the section's id in its data-anchor-id, as Quarto's does)
  var anchored = ".chapter h2[id], .chapter h3[id], .chapter h4[id], .chapter h2[data-anchor-id], " +
    ".chapter h3[data-anchor-id], .chapter h4[data-anchor-id]";
  document.querySelectorAll(anchored).forEach(function (h) {
    var a = document.createElement("a");
    a.className = "heading-anchor";
    a.href = "#" + encodeURIComponent(h.id || h.getAttribute("data-anchor-id"));
    a.setAttribute("aria-label", "Link to this section");
    a.textContent = "#";
    h.appendChild(a);
  });

  // ---- Code copy (Quarto's code-copy): each code block's button copies its code. ----
  document.querySelectorAll(".code-copy-button").forEach(function (button) {
    var code = button.parentNode.querySelector("pre code");
    if (!code || !(navigator.clipboard && window.isSecureContext)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.innerText).then(function () {
        button.classList.add("code-copied");
        button.title = "Copied";
        setTimeout(function () { button.classList.remove("code-copied"); button.title = "Copy to clipboard"; }, 1500);
      });
    });
  });

  // ---- Wide tables scroll; when they do, they can be reached and scrolled by keyboard. ----
  function markScrollable() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var caption = wrap.querySelector("caption");
      if (caption) caption.style.maxWidth = "";
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      // A caption is as wide as its table; keep it readable inside the visible box.
      if (caption && scrolls) caption.style.maxWidth = wrap.clientWidth + "px";
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      } else if (!scrolls && wrap.hasAttribute("tabindex")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);

  // ---- Tabsets (.panel-tabset): ARIA tabs; arrows, Home and End move between them. ----
  // Tabsets with the same group= switch together: choosing a tab chooses the tab of the same
  // name in the others (Quarto's behaviour; the choice is not stored between pages).
  var tabGroups = {};
  document.querySelectorAll('.panel-tabset [role="tablist"]').forEach(function (list) {
    var tabs = Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
    var group = list.parentNode.getAttribute("data-group");
    function choose(name) {
      tabs.forEach(function (t) { if (t.textContent === name) select(t, false, true); });
    }
    if (group) (tabGroups[group] = tabGroups[group] || []).push(choose);
    function select(tab, focus, fromGroup) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.setAttribute("tabindex", on ? "0" : "-1");
        t.classList.toggle("active", on);
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) { panel.hidden = !on; panel.classList.toggle("active", on); }
        var margin = document.getElementById(t.getAttribute("aria-controls") + "-margin-content");
        if (margin) margin.hidden = !on;  // the tab's margin content, beside the tabset
      });
      if (focus) tab.focus();
      if (group && !fromGroup) {
        tabGroups[group].forEach(function (other) {
          if (other !== choose) other(tab.textContent);
        });
      }
    }
    function fromHash() {  // a link to a tab's panel, or to anything in it, opens that tab
      var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      var tab = target && tabs.filter(function (t) {
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        return panel && panel.contains(target);
      })[0];
      if (tab) select(tab, false);
    }
    fromHash();
    window.addEventListener("hashchange", fromHash);
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab, false); });
      tab.addEventListener("keydown", function (event) {
        var next = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[event.key];
        if (next === undefined) return;
        event.preventDefault();
        select(tabs[(next + tabs.length) % tabs.length], true);
      });
    });
  });

  // ---- A collapsible callout's margin content shows while the callout is open. ----
  document.querySelectorAll(".column-container > details.callout").forEach(function (details) {
    var margin = details.parentNode.querySelector(".tabset-margin-container > .tabset-margin-content");
    if (!margin) return;
    details.addEventListener("toggle", function () {
      margin.hidden = !details.open;
      margin.classList.toggle("show", details.open);
    });
  });

  // ---- Printing shows the contents of closed "Data and code" disclosures. ----
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
  });
})();
