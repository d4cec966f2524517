// The supervisor's pages: draw the dashboard's charts from the figures the server sent (JSON in
// <script id="dashboard-charts">), and let htmx swap in the answers a form gets back with its errors
// (400 / 404 / 409 / 422) inside regions marked data-swap-errors.
// No rule lives here: every figure, limit and refusal comes from the server, and every text in the page's
// language (<script type="application/json" id="sscard-strings">; ECharts' own locale follows <html lang>).
(function () {
  "use strict";

  var T = (function () {
    var node = document.getElementById("sscard-strings");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  })();

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  var instances = [];
  var BLUE = "#0b5cad";
  var GREEN = "#1b6e2a";

  function readCharts() {
    var node = document.getElementById("dashboard-charts");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function baseOption(labels, yName) {
    return {
      aria: {enabled: true, decal: {show: true}},
      animation: false,
      grid: {left: 48, right: 24, top: 36, bottom: 40},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: labels, axisLabel: {color: "#333"}},
      yAxis: {type: "value", name: yName, nameTextStyle: {color: "#333"}, axisLabel: {color: "#333"},
              minInterval: 1},
      textStyle: {fontFamily: getComputedStyle(document.body).fontFamily}
    };
  }

  var builders = {
    perDay: function (data) {
      var option = baseOption(data.perDay.labels, T.chartCountAxis);
      option.title = {text: T.perDayTitle, show: false};
      option.series = [{name: T.perDaySeries, type: "bar", data: data.perDay.counts, itemStyle: {color: BLUE},
                        barMaxWidth: 36}];
      return option;
    },
    onTime: function (data) {
      var d = data.onTime;
      var option = baseOption(d.labels, "%");
      option.title = {text: T.onTimeTitle, show: false};
      option.yAxis.min = 0;
      option.yAxis.max = 100;
      option.tooltip.formatter = function (params) {
        var i = params[0].dataIndex;
        if (d.rates[i] === null) { return fill(T.onTimeNoneDue, {day: d.labels[i]}); }
        return fill(T.onTimeTooltip, {day: d.labels[i], rate: d.rates[i], due: d.due[i], onTime: d.onTime[i]});
      };
      option.series = [{name: T.onTimeSeries, type: "line", data: d.rates, connectNulls: false, symbol: "circle",
                        symbolSize: 8, itemStyle: {color: GREEN}, lineStyle: {color: GREEN, width: 3}}];
      return option;
    }
  };

  function drawCharts() {
    instances.forEach(function (chart) { chart.dispose(); });
    instances = [];
    var data = readCharts();
    if (!data || typeof window.echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.dataset.chart];
      if (!build) { return; }
      el.innerHTML = "";
      el.removeAttribute("_echarts_instance_");
      var locale = document.documentElement.lang.indexOf("zh") === 0 ? "ZH" : "EN";
      var chart = window.echarts.init(el, null, {locale: locale, renderer: "canvas"});
      chart.setOption(build(data));
      instances.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", drawCharts);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.elt && event.detail.elt.querySelector && event.detail.elt.querySelector("[data-chart]")) {
      drawCharts();
    }
  });
  window.addEventListener("resize", function () { instances.forEach(function (chart) { chart.resize(); }); });

  // A form answered with its errors (4xx) shows them like any answer, in the regions that ask for it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if ([400, 404, 409, 422].indexOf(status) >= 0 && elt && elt.closest && elt.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
