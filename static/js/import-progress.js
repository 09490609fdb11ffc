/*
 * Live progress of an accounting import (resources/accounting_detail.html).
 *
 * The page works without this file: while the import is queued or running, a
 * <noscript><meta http-equiv="refresh"></noscript> reloads it every 3 s. With it, the
 * page polls the JSON at [data-progress-url] once a second (static/js/progress-poll.js,
 * loaded before this file, moves the bar and reloads the page once the answer says
 * "done") and updates the status badge and the polite live text [data-progress-text]
 * (from the translated data-text-lines, where "{lines}" stands for the count).
 * Polling stops after 10 failures in a row or six hours, and then asks to reload the page.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var section = document.querySelector("[data-import-progress]");
  if (!section || !window.fetch || !window.AlgoricProgress) {
    return;
  }
  var badge = document.querySelector("[data-import-status]");
  var lang = document.documentElement.lang || undefined;
  var numbers;
  try {
    numbers = new Intl.NumberFormat(lang);
  } catch (error) {
    numbers = new Intl.NumberFormat();
  }
  /* Translated text, given by the template. */
  var linesLabel = section.getAttribute("data-text-lines") || "";

  window.AlgoricProgress.poll({
    section: section,
    intervalMs: 1000,
    maxFailures: 10,
    maxPolls: 6 * 3600, /* six hours at one poll a second */
    show: function (data, text) {
      if (badge && data.status_label) {
        badge.textContent = data.status_label;
      }
      if (text && data.counts) {
        text.textContent = linesLabel.replace("{lines}", numbers.format(data.counts.lines_read || 0));
      }
    }
  });
})();
