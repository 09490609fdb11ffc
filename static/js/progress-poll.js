/*
 * Polling of a progress bar, shared by the pages that follow work done by a worker
 * (static/js/import-progress.js, static/js/report-progress.js).
 *
 * AlgoricProgress.poll(options) polls the JSON at the section's [data-progress-url]
 * every options.intervalMs and, on each answer, updates the bar in place: the class
 * import-progress-<percent> of [data-progress-fill] (static/css/import-progress.css; the
 * Content-Security-Policy forbids style attributes), its text, the aria-valuenow of
 * [data-progress-bar], then calls options.show(data, text) for what the page adds (the
 * status badge, the polite live text [data-progress-text]). Once the answer says "done",
 * the page is reloaded. Polling is bounded: it stops after options.maxFailures failures
 * in a row or options.maxPolls polls, and then puts the section's data-text-stopped in
 * the live text (asking to reload the page).
 *
 * options: {section: Element, intervalMs: number, maxPolls: number, maxFailures: number,
 *           show: function (data, text)}, where text is the [data-progress-text] element
 *           or null.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  function poll(options) {
    var section = options.section;
    var url = section.getAttribute("data-progress-url");
    var bar = section.querySelector("[data-progress-bar]");
    var fill = section.querySelector("[data-progress-fill]");
    var text = section.querySelector("[data-progress-text]");
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
      options.show(data, text);
    }

    function schedule() {
      window.setTimeout(next, options.intervalMs);
    }

    function giveUp() {
      if (text) {
        text.textContent = stoppedText;
      }
    }

    function next() {
      polls += 1;
      if (polls > options.maxPolls) {
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
          if (failures >= options.maxFailures) {
            giveUp();
            return;
          }
          schedule();
        });
    }

    schedule();
  }

  window.AlgoricProgress = {poll: poll};
})();
