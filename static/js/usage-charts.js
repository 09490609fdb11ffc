/*
 * Usage charts drawn in the browser with the vendored Chart.js (static/vendor/chartjs/).
 *
 * Each chart is a <figure data-usage-chart="ID" hidden> holding a <canvas>, and a
 * <script type="application/json" id="ID"> block written by Django's json_script with the
 * numbers (projects/views/charts.py says their shape):
 *   {"kind": "bar"|"hbar", "labels": [...], "unit": "...",
 *    "datasets": [{"label", "type": "bar"|"line", "data": [...], "colour", "fill", "dashed"}]}
 * The figure is shown once its chart is drawn; without JavaScript (or if drawing fails) it
 * stays hidden and the table under it gives the same numbers. No inline script, no eval:
 * the Content-Security-Policy stays strict.
 */
(function () {
  "use strict";

  function numberFormat() {
    var lang = document.documentElement.lang || undefined;
    try {
      return new Intl.NumberFormat(lang, {maximumFractionDigits: 0});
    } catch (error) {
      return new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
    }
  }

  function dataset(item) {
    var line = item.type === "line";
    return {
      type: line ? "line" : "bar",
      label: item.label,
      data: item.data,
      borderColor: item.colour,
      backgroundColor: item.fill,
      borderWidth: line ? 2 : 1,
      borderDash: item.dashed ? [6, 4] : [],
      pointRadius: line && !item.dashed ? 3 : 0,
      spanGaps: false,
      order: line ? 0 : 1
    };
  }

  function draw(figure) {
    var block = document.getElementById(figure.getAttribute("data-usage-chart"));
    var canvas = figure.querySelector("canvas");
    if (!block || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(block.textContent);
    var horizontal = spec.kind === "hbar";
    var format = numberFormat();
    var valueAxis = {
      beginAtZero: true,
      title: {display: Boolean(spec.unit), text: spec.unit},
      ticks: {callback: function (value) { return format.format(value); }},
      grid: {color: "#d0d7de"}
    };
    var categoryAxis = {grid: {display: false}};
    figure.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: {labels: spec.labels, datasets: spec.datasets.map(dataset)},
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        locale: document.documentElement.lang || undefined,
        scales: horizontal ? {x: valueAxis, y: categoryAxis} : {x: categoryAxis, y: valueAxis},
        plugins: {
          legend: {display: spec.datasets.length > 1, position: "top", align: "start"},
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + ": " + format.format(value) + " " + spec.unit;
              }
            }
          }
        }
      }
    });
  }

  function drawAll() {
    var figures = document.querySelectorAll("[data-usage-chart]");
    for (var i = 0; i < figures.length; i += 1) {
      try {
        draw(figures[i]);
      } catch (error) {
        figures[i].hidden = true;  // the table below still gives the numbers
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());
