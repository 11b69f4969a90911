// Questionnaire results: a bar chart per choice question, drawn with ECharts (served from our static files) from
// the data the page embeds with json_script (id "questionnaire-charts"); no inline script.
(function () {
  "use strict";
  var source = document.getElementById("questionnaire-charts");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var drawn = [];
  charts.forEach(function (chart) {
    var element = document.querySelector('[data-chart="' + chart.id + '"]');
    if (!element) return;
    var instance = echarts.init(element);
    instance.setOption({
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      // Drawn on the canvas: the default HTML tooltip carries style="" attributes, which the CSP blocks.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: chart.labels, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{ type: "bar", data: chart.counts, itemStyle: { color: "#c8161d" }, label: { show: true, position: "right" } }]
    });
    drawn.push(instance);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) { instance.resize(); });
  });
})();
