// Console home: the staff-distribution bar chart (ECharts), from the JSON the page embeds.
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("staff-chart");
  var data = JSON.parse(document.getElementById("staff-chart-data").textContent);
  if (!node || !window.echarts) return;
  var chart = echarts.init(node);
  chart.setOption({
    animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: "人数", data: data.values, itemStyle: { color: "#1d5fa8" } }],
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
