// The public statistics page's charts; the numbers come from the page (json_script) and the
// tables below each chart carry the same ones, for readers without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("statistics-data").textContent);
  const percent = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  const pct = (v) => (v == null ? "—" : v + "%");
  const charts = [];
  const draw = (id, option) => {
    const node = document.getElementById(id);
    if (!node) return;
    const chart = echarts.init(node);
    chart.setOption(option);
    charts.push(chart);
  };
  draw("month-chart", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 44, right: 44, top: 40, bottom: 28 },
    xAxis: { type: "category", data: data.months },
    yAxis: [percent, { type: "value", name: "件", minInterval: 1 }],
    series: [
      { name: "诉求量", type: "bar", yAxisIndex: 1, data: data.volume, itemStyle: { opacity: 0.35 } },
      { name: "群众满意率", type: "line", data: data.citizen, connectNulls: true, tooltip: { valueFormatter: pct } },
      { name: "基层满意率", type: "line", data: data.grassroots, connectNulls: true, tooltip: { valueFormatter: pct } },
      { name: "企业满意率", type: "line", data: data.enterprise, connectNulls: true, tooltip: { valueFormatter: pct } },
      { name: "按时办结率", type: "line", data: data.on_time, connectNulls: true, lineStyle: { type: "dashed" }, tooltip: { valueFormatter: pct } },
    ],
  });
  const bars = (id, labels, values) => draw(id, {
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: labels.slice().reverse(), axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ name: "诉求量", type: "bar", data: values.slice().reverse() }],
  });
  bars("unit-chart", data.units, data.unit_volume);
  bars("category-chart", data.categories, data.category_volume);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
});
