/*
 * Live totals of the resource request table (projects/request_edit.html).
 *
 * The page works without this file: "Recalculate" posts the form and the server
 * answers with the totals. With it, each change of an amount (debounced 300 ms)
 * posts the same form to the estimate URL (data-estimate-url), which answers JSON
 * without saving, and the totals are updated in place:
 *   [data-row-total=<resource id>], [data-row-cost=<id>], [data-row-energy=<id>],
 *   [data-year-cost=<year>], [data-year-energy=<year>], [data-year-co2e=<year>],
 *   [data-total=cost_eur|energy_kwh|co2e_kg],
 * the error list ([data-table-errors] / [data-table-error-list]) and the polite live
 * region [data-live-status]. Numbers are formatted for the page's language.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;

  function formatter(minimum, maximum) {
    var lang = document.documentElement.lang || undefined;
    try {
      return new Intl.NumberFormat(lang, {minimumFractionDigits: minimum, maximumFractionDigits: maximum});
    } catch (error) {
      return new Intl.NumberFormat(undefined, {minimumFractionDigits: minimum, maximumFractionDigits: maximum});
    }
  }

  var money = formatter(2, 2);
  var amount = formatter(0, 2);
  var tenthWhole = formatter(0, 0);
  var tenthDecimals = formatter(1, 1);

  /* Amounts: up to two decimals, no trailing zeros (as the server shows them). */
  function formatAmount(text) {
    var value = Number(text);
    return isFinite(value) ? amount.format(value) : "";
  }

  /* kWh and kg: no decimal when whole, else one (as floatformat:"-1"). */
  function formatTenth(text) {
    var value = Number(text);
    if (!isFinite(value)) { return ""; }
    return Number.isInteger(value) ? tenthWhole.format(value) : tenthDecimals.format(value);
  }

  function formatMoney(text) {
    var value = Number(text);
    return isFinite(value) ? money.format(value) : "";
  }

  function setText(root, selector, text) {
    var element = root.querySelector(selector);
    if (element && text !== null && text !== undefined && text !== "") {
      element.textContent = text;
    }
  }

  function cssValue(value) {
    return window.CSS && CSS.escape ? CSS.escape(String(value)) : String(value).replace(/["\\]/g, "");
  }

  function showErrors(form, errors) {
    var box = form.querySelector("[data-table-errors]");
    var list = form.querySelector("[data-table-error-list]");
    var title = form.querySelector("[data-table-error-title]");
    if (!box || !list) { return; }
    if (title && title.getAttribute("data-live-title")) {
      title.textContent = title.getAttribute("data-live-title");
    }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    errors.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    box.classList.toggle("d-none", errors.length === 0);
  }

  function markInvalid(form, names) {
    var invalid = {};
    names.forEach(function (name) { invalid[name] = true; });
    form.querySelectorAll("input[name^='amount-']").forEach(function (input) {
      var bad = invalid[input.name] === true;
      input.classList.toggle("is-invalid", bad);
      if (bad) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    });
  }

  function apply(form, data) {
    Object.keys(data.rows || {}).forEach(function (id) {
      var row = data.rows[id];
      var key = cssValue(id);
      setText(form, "[data-row-total=\"" + key + "\"]", formatAmount(row.total));
      if (row.cost_eur !== null) { setText(form, "[data-row-cost=\"" + key + "\"]", formatMoney(row.cost_eur)); }
      if (row.energy_kwh !== null) { setText(form, "[data-row-energy=\"" + key + "\"]", formatTenth(row.energy_kwh)); }
    });
    Object.keys(data.years || {}).forEach(function (year) {
      var totals = data.years[year];
      var key = cssValue(year);
      setText(form, "[data-year-cost=\"" + key + "\"]", formatMoney(totals.cost_eur));
      setText(form, "[data-year-energy=\"" + key + "\"]", formatTenth(totals.energy_kwh));
      setText(form, "[data-year-co2e=\"" + key + "\"]", formatTenth(totals.co2e_kg));
    });
    var total = data.total || {};
    setText(form, "[data-total=\"cost_eur\"]", formatMoney(total.cost_eur));
    setText(form, "[data-total=\"energy_kwh\"]", formatTenth(total.energy_kwh));
    setText(form, "[data-total=\"co2e_kg\"]", formatTenth(total.co2e_kg));
    showErrors(form, data.errors || []);
    markInvalid(form, data.invalid || []);
    var status = form.querySelector("[data-live-status]");
    if (status) {
      var template = form.getAttribute("data-updated-text") || "";
      status.textContent = template
        .replace("%(cost)s", formatMoney(total.cost_eur))
        .replace("%(energy)s", formatTenth(total.energy_kwh))
        .replace("%(co2e)s", formatTenth(total.co2e_kg));
    }
  }

  function setUp(form) {
    var url = form.getAttribute("data-estimate-url");
    if (!url || !window.fetch || !window.FormData) { return; }
    var timer = null;
    var sequence = 0;
    var controller = null;

    function send() {
      sequence += 1;
      var mine = sequence;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var body = new FormData(form);
      var tokenInput = form.querySelector("input[name='csrfmiddlewaretoken']");
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {"X-CSRFToken": tokenInput ? tokenInput.value : "", "Accept": "application/json"},
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        if (mine === sequence) { apply(form, data); }
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        var status = form.querySelector("[data-live-status]");
        if (status && mine === sequence) { status.textContent = form.getAttribute("data-failed-text") || ""; }
      });
    }

    form.addEventListener("input", function (event) {
      var target = event.target;
      if (!target || !target.name || target.name.indexOf("amount-") !== 0) { return; }
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(send, DEBOUNCE_MS);
    });
  }

  function start() {
    document.querySelectorAll("form[data-request-table-form]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
