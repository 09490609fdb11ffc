/*
 * Live progress of a usage report (templates/projects/reports/report_detail.html).
 *
 * The page works without this file: while the report is queued or running, a
 * <noscript><meta http-equiv="refresh"></noscript> reloads it every 5 s. With it, the
 * page polls the JSON at [data-progress-url] every two seconds and updates the bar in
 * place: its class import-progress-<percent> (static/css/import-progress.css; the
 * Content-Security-Policy forbids style attributes), its text and aria-valuenow, the
 * status badge and the polite live text [data-progress-text] (the step the worker is
 * at). Once the answer says "done" (done or failed), the page is reloaded to show the
 * files. Polling is bounded: it stops after MAX_FAILURES failures in a row or
 * MAX_POLLS polls, and then asks to reload the page.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;
  var MAX_FAILURES = 10;
  var MAX_POLLS = 1800; /* an hour at one poll every two seconds */

  var section = document.querySelector("[data-report-progress]");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-progress-url");
  var bar = section.querySelector("[data-progress-bar]");
  var fill = section.querySelector("[data-progress-fill]");
  var text = section.querySelector("[data-progress-text]");
  var badge = document.querySelector("[data-report-status]");
  var queuedText = section.getAttribute("data-text-queued") || "";
  var stoppedText = section.getAttribute("data-text-stopped") || "";
  var polls = 0;
  var failures = 0;

  function show(data) {
    var percent = Math.max(0, Math.min(100, Math.floor(Number(data.percent) || 0)));
    if (fill) {
      fill.className = fill.className.replace(/\bimport-progress-\d+\b/, "import-progress-" + percent);
      fill.textContent = percent + " %";
    }
    if (bar) {
      bar.setAttribute("aria-valuenow", String(percent));
    }
    if (badge && data.status_label) {
      badge.textContent = data.status_label.charAt(0).toUpperCase() + data.status_label.slice(1);
    }
    if (text) {
      text.textContent = data.step || (data.status === "queued" ? queuedText : "");
    }
  }

  function schedule() {
    window.setTimeout(poll, INTERVAL_MS);
  }

  function giveUp() {
    if (text) {
      text.textContent = stoppedText;
    }
  }

  function poll() {
    polls += 1;
    if (polls > MAX_POLLS) {
      giveUp();
      return;
    }
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.done) {
          window.location.reload();
          return;
        }
        schedule();
      })
      .catch(function () {
        failures += 1;
        if (failures >= MAX_FAILURES) {
          giveUp();
          return;
        }
        schedule();
      });
  }

  schedule();
})();
