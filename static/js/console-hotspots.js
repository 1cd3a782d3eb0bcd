// Hotspots page: a sparkline per hotspot (ECharts) and the map of centres and members
// (Leaflet; without a tile source the points still show on a plain background).
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("hotspot-data");
  if (!source) return;
  const spots = JSON.parse(source.textContent);
  const colours = { rising: "#c0392b", falling: "#1e7b4a", steady: "#5c6b7a" };

  const charts = [];
  if (typeof echarts !== "undefined") {
    for (const spot of spots) {
      const box = document.getElementById(`spark-${spot.rank}`);
      if (!box) continue;
      const chart = echarts.init(box);
      chart.setOption({
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 2 },
        tooltip: { trigger: "axis", formatter: (p) => `${p[0].name}：${p[0].value} 条` },
        xAxis: { type: "category", data: spot.days, show: false, boundaryGap: false },
        yAxis: { type: "value", show: false, min: 0 },
        series: [{
          type: "line", data: spot.counts, symbol: "none", smooth: false,
          lineStyle: { width: 1.5, color: colours[spot.direction] },
          areaStyle: { color: colours[spot.direction], opacity: 0.15 },
        }],
      });
      charts.push(chart);
    }
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  }

  const box = document.getElementById("hotspot-map");
  if (!box || typeof L === "undefined") return;
  const map = L.map(box, { zoomSnap: 0.5 });
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  const largest = Math.max(1, ...spots.map((s) => s.size));
  const bounds = [];
  const centres = {};
  for (const spot of spots) {
    const colour = colours[spot.direction];
    for (const [lat, lon] of spot.points) {
      L.circleMarker([lat, lon], { radius: 3, weight: 1, color: colour, fillOpacity: 0.6 }).addTo(map);
      bounds.push([lat, lon]);
    }
    // Text, never HTML: key words come from what the public wrote.
    const label = document.createElement("div");
    label.textContent = `${spot.rank}. ${spot.label}（${spot.size} 条）`;
    const marker = L.circleMarker(spot.centre, {
      radius: 8 + 14 * Math.sqrt(spot.size / largest), weight: 2, color: colour, fillOpacity: 0.25,
    }).addTo(map).bindTooltip(label, { direction: "top" });
    marker.on("click", () => {
      const card = document.querySelector(`[data-rank="${spot.rank}"]`);
      if (card) card.scrollIntoView({ behavior: "smooth", block: "center" });
    });
    L.marker(spot.centre, {
      icon: L.divIcon({ className: "hotspot-rank", html: String(spot.rank), iconSize: [20, 20] }),
      interactive: false, keyboard: false,
    }).addTo(map);
    centres[spot.rank] = marker;
  }
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  } else {
    map.setView([33.963, 118.275], 12);
  }
  document.querySelectorAll("[data-show-on-map]").forEach((button) => {
    button.addEventListener("click", () => {
      const marker = centres[button.dataset.showOnMap];
      if (!marker) return;
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
      marker.openTooltip();
      box.scrollIntoView({ behavior: "smooth", block: "nearest" });
    });
  });
});
