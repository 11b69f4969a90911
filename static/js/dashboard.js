/* The dashboard's charts (工作看板), drawn with ECharts from the data the page passes with Django's json_script
 * filter (id "dashboard-data"); no inline scripts, no inline styles (the size comes from .dashboard-chart in
 * portal.css). Every bar, point and slice carries the link of the rows it counts: a click opens that list.
 *   #chart-activities  activities and person-times per month (bars)
 *   #chart-hours       approved hours per month (bars)
 *   #chart-satisfaction satisfaction rate and average per month (lines, two axes)
 *   #chart-demands     demands per month: on time, in progress, overdue (stacked bars)
 *   #chart-points      members per band of yearly points (bars)
 *   #chart-reviews     review grades (pie)
 *   #chart-coverage    host coverage (gauge) — the formation modes are the links under it
 * All text comes from the page (data.text), already translated. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text || {};
  var RED = "#c8161d";
  var GOLD = "#e6a23c";
  var GREEN = "#3a8f5c";
  var GREY = "#8c9aa8";
  var BLUE = "#3f6fb5";
  var charts = [];
  // Axis names start at the axis, inwards: a long Chinese name is not cut at the chart's edge on a phone.
  var LEFT = { align: "left" };
  var RIGHT = { align: "right" };

  // Tooltips are plain text joined by <br>: ECharts' default tooltip HTML carries style="" attributes (its
  // coloured markers), which the Content-Security-Policy (style-src 'self') blocks.
  function escape(value) {
    return String(value === null || value === undefined ? "—" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function axisTooltip(params) {
    var list = Array.isArray(params) ? params : [params];
    var lines = [escape(list[0].axisValueLabel || list[0].name)];
    list.forEach(function (item) {
      lines.push(escape(item.seriesName) + "：" + escape(item.value));
    });
    return lines.join("<br>");
  }

  function itemTooltip(item) {
    return escape(item.name) + "：" + escape(item.value) + "（" + escape(item.percent) + "%）";
  }

  // Only our own pages: a link is a path on this site.
  function go(url) {
    if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
      window.location.href = url;
    }
  }

  function draw(id, option, urlOf) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var chart = window.echarts.init(element);
    chart.setOption(option);
    if (urlOf) {
      // ECharts shows the pointer cursor over bars, points and slices: each opens the list of its rows.
      chart.on("click", function (params) {
        go(urlOf(params));
      });
    }
    charts.push(chart);
  }

  function bySeries(map) {
    return function (params) {
      var series = map[params.seriesIndex];
      return series && series.urls ? series.urls[params.dataIndex] : null;
    };
  }

  var months = data.months || [];
  var grid = { left: 8, right: 8, top: 36, bottom: 8, containLabel: true };
  // With a legend on top, the axis names go on a line of their own below it.
  var gridLegend = { left: 8, right: 8, top: 60, bottom: 8, containLabel: true };

  if (data.activities) {
    draw(
      "chart-activities",
      {
        grid: gridLegend,
        legend: { top: 0 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip },
        xAxis: { type: "category", data: months },
        yAxis: [
          { type: "value", minInterval: 1, name: text.activities, nameTextStyle: LEFT },
          {
            type: "value",
            minInterval: 1,
            name: text.person_times,
            nameTextStyle: RIGHT,
            splitLine: { show: false },
          },
        ],
        series: [
          { name: text.activities, type: "bar", data: data.activities.values, itemStyle: { color: RED } },
          {
            name: text.person_times,
            type: "bar",
            yAxisIndex: 1,
            data: data.person_times.values,
            itemStyle: { color: GOLD },
          },
        ],
      },
      bySeries([data.activities, data.person_times])
    );
  }

  if (data.hours) {
    draw(
      "chart-hours",
      {
        grid: grid,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip },
        xAxis: { type: "category", data: months },
        yAxis: { type: "value", name: text.hours, nameTextStyle: LEFT },
        series: [{ name: text.hours, type: "bar", data: data.hours.values, itemStyle: { color: RED } }],
      },
      bySeries([data.hours])
    );
  }

  if (data.satisfaction) {
    var satisfaction = data.satisfaction;
    draw(
      "chart-satisfaction",
      {
        grid: gridLegend,
        legend: { top: 0 },
        tooltip: { trigger: "axis", formatter: axisTooltip },
        xAxis: { type: "category", data: months },
        // Rates sit near 100%: the axis starts a little below the lowest month, so a dip shows.
        yAxis: [
          {
            type: "value",
            max: 100,
            name: text.rate,
            nameTextStyle: LEFT,
            min: function (extent) {
              return isFinite(extent.min) ? Math.max(0, Math.floor((extent.min - 5) / 10) * 10) : 0;
            },
          },
          { type: "value", min: 1, max: 5, name: text.average, nameTextStyle: RIGHT, splitLine: { show: false } },
        ],
        series: [
          { name: text.rate, type: "line", connectNulls: true, data: satisfaction.rate, itemStyle: { color: RED } },
          {
            name: text.average,
            type: "line",
            yAxisIndex: 1,
            connectNulls: true,
            data: satisfaction.average,
            itemStyle: { color: GOLD },
          },
        ],
      },
      function (params) {
        return satisfaction.urls[params.dataIndex];
      }
    );
  }

  if (data.demands) {
    var demands = data.demands;
    var parts = [
      { key: "on_time", color: GREEN },
      { key: "in_progress", color: BLUE },
      { key: "overdue", color: RED },
    ];
    draw(
      "chart-demands",
      {
        grid: gridLegend,
        legend: { top: 0 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip },
        xAxis: { type: "category", data: months },
        yAxis: { type: "value", minInterval: 1 },
        series: parts.map(function (part) {
          return {
            name: text[part.key],
            type: "bar",
            stack: "demands",
            data: demands[part.key].values,
            itemStyle: { color: part.color },
          };
        }),
      },
      bySeries(
        parts.map(function (part) {
          return demands[part.key];
        })
      )
    );
  }

  if (data.points) {
    draw(
      "chart-points",
      {
        grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip },
        xAxis: { type: "category", data: data.points.labels },
        yAxis: { type: "value", minInterval: 1, name: text.members, nameTextStyle: LEFT },
        series: [
          {
            name: text.members,
            type: "bar",
            data: data.points.values,
            itemStyle: { color: RED },
            label: { show: true, position: "top" },
          },
        ],
      },
      bySeries([data.points])
    );
  }

  function sum(values) {
    return values.reduce(function (total, value) {
      return total + (value || 0);
    }, 0);
  }

  // A pie of nothing would show equal slices: say there is no data instead.
  var empty = { text: text.empty, left: "center", top: "middle", textStyle: { color: GREY, fontSize: 14 } };

  if (data.reviews && !sum(data.reviews.map(function (item) { return item.value; }))) {
    draw("chart-reviews", { title: empty });
  } else if (data.reviews) {
    var colours = [RED, GREEN, GOLD, GREY];
    draw(
      "chart-reviews",
      {
        tooltip: { trigger: "item", formatter: itemTooltip },
        legend: { bottom: 0 },
        series: [
          {
            type: "pie",
            radius: ["35%", "65%"],
            center: ["50%", "45%"],
            data: data.reviews.map(function (item, index) {
              return { name: item.name, value: item.value, itemStyle: { color: colours[index % colours.length] } };
            }),
            label: { formatter: "{b} {c}" },
          },
        ],
      },
      function (params) {
        return data.reviews[params.dataIndex].url;
      }
    );
  }

  if (data.coverage && data.coverage.rate === null) {
    draw("chart-coverage", { title: empty });
  } else if (data.coverage) {
    draw("chart-coverage", {
      series: [
        {
          type: "gauge",
          min: 0,
          max: 100,
          progress: { show: true, itemStyle: { color: RED } },
          axisLine: { lineStyle: { width: 12 } },
          axisTick: { show: false },
          splitLine: { length: 8 },
          detail: { valueAnimation: false, formatter: "{value}%", fontSize: 22, offsetCenter: [0, "60%"] },
          title: { offsetCenter: [0, "88%"] },
          data: [{ value: data.coverage.rate, name: text.coverage }],
        },
      ],
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
