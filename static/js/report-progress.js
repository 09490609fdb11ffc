/*
 * Live progress of a usage report (templates/projects/reports/report_detail.html).
 *
 * The page works without this file: while the report is queued or running, a
 * <noscript><meta http-equiv="refresh"></noscript> reloads it every 5 s. With it, the
 * page polls the JSON at [data-progress-url] every two seconds (static/js/progress-poll.js,
 * loaded before this file, moves the bar and reloads the page once the answer says
 * "done", done or failed) and updates the status badge and the polite live text
 * [data-progress-text] (the step the worker is at).
 * Polling stops after 10 failures in a row or an hour, and then asks to reload the page.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var section = document.querySelector("[data-report-progress]");
  if (!section || !window.fetch || !window.AlgoricProgress) {
    return;
  }
  var badge = document.querySelector("[data-report-status]");
  var queuedText = section.getAttribute("data-text-queued") || "";

  window.AlgoricProgress.poll({
    section: section,
    intervalMs: 2000,
    maxFailures: 10,
    maxPolls: 1800, /* an hour at one poll every two seconds */
    show: function (data, text) {
      if (badge && data.status_label) {
        badge.textContent = data.status_label.charAt(0).toUpperCase() + data.status_label.slice(1);
      }
      if (text) {
        text.textContent = data.step || (data.status === "queued" ? queuedText : "");
      }
    }
  });
})();
