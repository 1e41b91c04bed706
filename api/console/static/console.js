// Live updates without a framework: the jobs table refetches its rows, a running job's page reloads.
(function () {
  "use strict";
  var rows = document.querySelector("[data-live-rows]");
  if (rows) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(rows.getAttribute("data-live-rows"), { credentials: "same-origin" })
        .then(function (response) {
          if (response.redirected) { window.location.href = response.url; return null; }  // signed out
          return response.ok ? response.text() : null;
        })
        .then(function (html) { if (html !== null) rows.innerHTML = html; })
        .catch(function () {});
    }, 2500);
  }
  if (document.querySelector("[data-reload-while-running]")) {
    setTimeout(function () { window.location.reload(); }, 1500);
  }
})();
