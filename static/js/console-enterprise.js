// An enterprise's satisfaction over twelve months (console enterprise page). The numbers come
// from the page (json_script); the table under the chart carries the same ones.
document.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("satisfaction-chart");
  const source = document.getElementById("enterprise-data");
  if (!node || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(node);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%") },
    grid: { left: 48, right: 16, top: 16, bottom: 28 },
    xAxis: { type: "category", data: data.months.map((m) => m.slice(2)) },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: "企业满意率", type: "line", data: data.rates, connectNulls: true,
               showSymbol: true, symbolSize: 7 }],
  });
  window.addEventListener("resize", () => chart.resize());
});
