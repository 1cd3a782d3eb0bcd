// Public demand board: rounded points (≈100 m) of consented demands on the map.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("board-map");
  if (!box || typeof L === "undefined") return;
  const points = JSON.parse(document.getElementById("board-points").textContent);
  const map = L.map(box).setView([33.963, 118.275], 12);
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 }).addTo(map);
  }
  for (const p of points) {
    // Text, never HTML: titles come from the public.
    const label = document.createElement("div");
    label.textContent = `${p.title}（${p.state}）`;
    L.circleMarker([p.lat, p.lon], { radius: 7 }).addTo(map).bindPopup(label);
  }
});
