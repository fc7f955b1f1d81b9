// Runs in <head>, before the page is drawn: applies the reader's saved theme and sidebar
// state so the page does not flash. Without a saved choice the system preference rules.
(function () {
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem("book-theme"); } catch (e) { /* storage disabled */ }
  if (saved === "light" || saved === "dark") root.setAttribute("data-theme", saved);
  var dark = saved ? saved === "dark"
    : window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  root.setAttribute("data-theme-now", dark ? "dark" : "light");
  try {
    if (localStorage.getItem("book-sidebar") === "collapsed") root.classList.add("sidebar-collapsed");
  } catch (e) { /* storage disabled */ }
})();
