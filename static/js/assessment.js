/* The branch comparison chart (评星晋级对比), drawn with ECharts from the data the page passes with Django's
 * json_script filter (id "assessment-data"). No inline scripts: the page loads echarts.min.js and this file.
 *   #chart-assessment: per branch, the four rates (participation, satisfaction, demands on time, reviews
 *   completed) as grouped horizontal bars; the stars follow the branch's name.
 * All text comes from the page (data.text), already translated. */
(function () {
  "use strict";

  var source = document.getElementById("assessment-data");
  var element = document.getElementById("chart-assessment");
  if (!source || !element || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text || {};
  var labels = data.labels || [];
  if (!labels.length) {
    return;
  }
  var COLORS = ["#c8161d", "#e6a23c", "#409eff", "#67c23a"];

  function starsOf(count) {
    if (!count) {
      return text.unrated;
    }
    return new Array(count + 1).join("★");
  }

  // Horizontal bars: long Chinese names stay readable on a phone; the first branch on top.
  var names = labels.map(function (label, index) {
    return label + " " + starsOf(data.stars[index]);
  }).reverse();
  var series = (data.series || []).map(function (one, index) {
    return {
      name: one.name,
      type: "bar",
      data: one.data.slice().reverse(),
      itemStyle: { color: COLORS[index % COLORS.length] },
    };
  });

  element.style.width = "100%";
  element.style.height = Math.max(280, 80 + labels.length * series.length * 14) + "px";
  var chart = window.echarts.init(element);
  chart.setOption({
    grid: { left: 8, right: 24, top: 56, bottom: 8, containLabel: true },
    legend: { top: 0, type: "scroll" },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      // Drawn on the canvas: the default HTML tooltip carries style="" attributes, which the CSP blocks.
      renderMode: "richText",
      valueFormatter: function (value) {
        return value === null || value === undefined ? "—" : value + text.percent;
      },
    },
    xAxis: { type: "value", min: 0, max: 100, name: text.percent },
    yAxis: { type: "category", data: names, axisLabel: { width: 140, overflow: "truncate" } },
    series: series,
  });
  window.addEventListener("resize", function () {
    chart.resize();
  });
})();
