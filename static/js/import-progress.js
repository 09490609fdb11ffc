/*
 * Live progress of an accounting import (resources/accounting_detail.html).
 *
 * The page works without this file: while the import is queued or running, a
 * <noscript><meta http-equiv="refresh"></noscript> reloads it every 3 s. With it, the
 * page polls the JSON at [data-progress-url] once a second and updates the bar in
 * place: its class import-progress-<percent> (static/css/import-progress.css; the
 * Content-Security-Policy forbids style attributes), its text and aria-valuenow, and
 * the polite live text [data-progress-text] (from the translated data-text-lines, where
 * "{lines}" stands for the count). Once the answer says "done", the page is
 * reloaded to show the counts and the bad lines.
 * Polling is bounded: it stops after MAX_FAILURES failures in a row, or after
 * MAX_POLLS polls, and then asks to reload the page.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  var MAX_FAILURES = 10;
  var MAX_POLLS = 6 * 3600; /* six hours at one poll a second */

  var section = document.querySelector("[data-import-progress]");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-progress-url");
  var bar = section.querySelector("[data-progress-bar]");
  var fill = section.querySelector("[data-progress-fill]");
  var text = section.querySelector("[data-progress-text]");
  var badge = document.querySelector("[data-import-status]");
  var lang = document.documentElement.lang || undefined;
  var numbers;
  try {
    numbers = new Intl.NumberFormat(lang);
  } catch (error) {
    numbers = new Intl.NumberFormat();
  }
  /* Translated texts, given by the template. */
  var linesLabel = section.getAttribute("data-text-lines") || "";
  var stoppedText = section.getAttribute("data-text-stopped") || "";
  var polls = 0;
  var failures = 0;

  function linesText(lines) {
    return linesLabel.replace("{lines}", numbers.format(lines));
  }

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
      badge.textContent = data.status_label;
    }
    if (text && data.counts) {
      text.textContent = linesText(data.counts.lines_read || 0);
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
