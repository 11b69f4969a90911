/* 我的积分: points per month as bars, from the data the page passes with json_script (id "points-chart-data").
 * No inline scripts; all text comes from the page, already translated. */
(function () {
  "use strict";

  var source = document.getElementById("points-chart-data");
  var element = document.getElementById("points-months");
  if (!source || !element || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  element.style.width = "100%";
  element.style.height = (window.innerWidth < 576 ? 240 : 300) + "px";
  var chart = window.echarts.init(element);
  chart.setOption({
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    // Drawn on the canvas: the default HTML tooltip carries style="" attributes, which the CSP blocks.
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        name: data.label,
        type: "bar",
        data: data.points,
        itemStyle: { color: "#c8161d" },
        label: { show: true, position: "top" },
      },
    ],
  });
  window.addEventListener("resize", function () {
    chart.resize();
  });
})();
