// The KPI dashboard's two charts; data comes from the page (json_script), no extra request.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const percent = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  const trend = echarts.init(document.getElementById("trend-chart"));
  trend.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%") },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.months },
    yAxis: percent,
    series: [
      { name: "群众满意率", type: "line", data: data.series.citizen, connectNulls: true },
      { name: "基层满意率", type: "line", data: data.series.grassroots, connectNulls: true },
      { name: "企业满意率", type: "line", data: data.series.enterprise, connectNulls: true },
    ],
  });
  const groups = echarts.init(document.getElementById("group-chart"));
  groups.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%") },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 64 },
    xAxis: { type: "category", data: data.units, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: percent,
    series: [
      { name: "满意率", type: "bar", data: data.unit_satisfaction },
      { name: "按时办结率", type: "bar", data: data.unit_on_time },
    ],
  });
  window.addEventListener("resize", () => { trend.resize(); groups.resize(); });
});
