// The submit page: filter the category list by keyword, and pick a point on the map.
// Without tiles (no tile source configured, or offline) the map still takes a click.
document.addEventListener("DOMContentLoaded", () => {
  const search = document.getElementById("category-search");
  const select = document.getElementById("id_category");
  if (search && select) {
    search.addEventListener("input", () => {
      const words = search.value.trim();
      let first = null;
      for (const option of select.querySelectorAll("option")) {
        if (!option.value) continue;
        const hit = !words || option.textContent.includes(words) ||
          (option.parentElement.label || "").includes(words);
        option.hidden = !hit;
        if (hit && !first) first = option;
      }
      if (words && first) select.value = first.value;
    });
  }
  const box = document.getElementById("pick-map");
  if (!box || typeof L === "undefined") return;
  const map = L.map(box, { attributionControl: true }).setView([33.963, 118.275], 13);
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 }).addTo(map);
  }
  let marker = null;
  map.on("click", (event) => {
    const { lat, lng } = event.latlng;
    if (marker) marker.setLatLng(event.latlng); else marker = L.marker(event.latlng).addTo(map);
    document.getElementById("id_latitude").value = lat.toFixed(6);
    document.getElementById("id_longitude").value = lng.toFixed(6);
    document.getElementById("map-note").textContent = `已选位置：${lng.toFixed(5)}, ${lat.toFixed(5)}`;
  });
});
