// Live reload for `thesis preview` only: the preview server adds this script to the pages it
// serves; the published edition never holds it. The page asks the server, by long poll, to
// answer once what it shows (this page, or a file every page uses) differs from what it was
// served with, then reloads itself; a save that rebuilds another page leaves it alone.
(function () {
  'use strict';
  var script = document.currentScript;
  var seen = script ? script.getAttribute('data-version') : null;
  function poll() {
    var page = window.location.pathname;
    fetch('/__livereload?since=' + encodeURIComponent(seen || '') +
          '&page=' + encodeURIComponent(page), { cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (answer) {
        if (seen !== null && String(answer.version) !== seen) {
          window.location.reload();
          return;
        }
        seen = String(answer.version);
        poll();
      })
      .catch(function () { window.setTimeout(poll, 1000); }); // server restarting: retry
  }
  poll();
})();
