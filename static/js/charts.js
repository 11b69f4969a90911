/* Charts drawn with ECharts from the data a page passes with Django's json_script filter (id "chart-data").
 * No inline scripts: pages load echarts.min.js and this file from our static files.
 *   #chart-groups: satisfaction rate per group (bars), the average shown in the label and the tooltip
 *   #chart-months: satisfaction rate and average per month (lines, two axes)
 * All text comes from the page (data.text), already translated. */
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text || {};
  var RED = "#c8161d";
  var GOLD = "#e6a23c";
  var charts = [];

  function draw(id, option, height) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    // Sized here (not in a stylesheet): a phone gets a shorter chart, bars get room for their labels.
    element.style.width = "100%";
    element.style.height = (height || (window.innerWidth < 576 ? 300 : 340)) + "px";
    var chart = window.echarts.init(element);
    chart.setOption(option);
    charts.push(chart);
  }

  // ECharts renders a tooltip as HTML: every value from the data (names are user text) is escaped.
  var escape = window.echarts.format.encodeHTML;

  function tooltip(rows) {
    return function (params) {
      var row = rows[params[0].dataIndex];
      return [
        escape(row.label),
        escape(text.rate + "：" + row.rate),
        escape(text.average + "：" + row.average),
        escape(text.count + "：" + row.count),
      ].join("<br>");
    };
  }
  var rateMin = data.rate_min || {};

  var groups = data.groups || [];
  if (groups.length) {
    // Horizontal bars: long Chinese names stay readable on a phone; the first group on top.
    var reversed = groups.slice().reverse();
    draw("chart-groups", {
      grid: { left: 8, right: 72, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tooltip(reversed) },
      xAxis: { type: "value", min: rateMin.groups || 0, max: 100, name: text.rate, nameLocation: "middle", nameGap: 24 },
      yAxis: {
        type: "category",
        // The labels come cut and distinct from the server (the full name is in the tooltip).
        data: reversed.map(function (row) { return row.short; }),
      },
      series: [
        {
          name: text.rate,
          type: "bar",
          data: reversed.map(function (row) { return row.rate; }),
          itemStyle: { color: RED },
          label: {
            show: true,
            position: "right",
            formatter: function (params) {
              var row = reversed[params.dataIndex];
              return row.rate + "% · " + row.average;
            },
          },
        },
      ],
    }, Math.max(240, 40 + reversed.length * 32));
  }

  var months = data.months || [];
  if (months.length) {
    draw("chart-months", {
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", formatter: tooltip(months) },
      xAxis: { type: "category", data: months.map(function (row) { return row.label; }) },
      yAxis: [
        { type: "value", min: rateMin.months || 0, max: 100, name: text.rate },
        { type: "value", min: 0, max: 5, name: text.average, splitLine: { show: false } },
      ],
      series: [
        {
          name: text.rate,
          type: "line",
          data: months.map(function (row) { return row.rate; }),
          itemStyle: { color: RED },
        },
        {
          name: text.average,
          type: "line",
          yAxisIndex: 1,
          data: months.map(function (row) { return row.average; }),
          itemStyle: { color: GOLD },
        },
      ],
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
