// 指挥大屏: the charts (ECharts), the hotspot map (Leaflet) and the clock; the board's data
// comes from the page (json_script "command-data") and again from data-url every
// data-refresh seconds, so a wall left on all day stays current without a reload.
// Every number is a link: the tiles and lists are <a>, a chart's point or bar and a map's
// hotspot open the list behind them. Text from the data is set as text, never as HTML.
(() => {
  const root = document.getElementById("command");
  const source = document.getElementById("command-data");
  if (!root || !source) return;
  let data = JSON.parse(source.textContent);
  const wall = root.classList.contains("command-wall");
  const ink = { text: "#dbe9ff", muted: "#9bb8dd", grid: "rgba(120, 170, 230, 0.18)" };
  const kinds = [
    ["citizen", "群众满意率", "#38c6ff"],
    ["grassroots", "基层满意率", "#3ddc97"],
    ["enterprise", "企业满意率", "#ffb547"],
  ];
  const size = wall ? 15 : 12;
  const percent = (v) => (v == null ? "—" : `${v}%`);
  const go = (url) => { if (url) window.location.assign(url); };
  const axis = {
    axisLine: { lineStyle: { color: ink.grid } },
    axisLabel: { color: ink.muted, fontSize: size },
    splitLine: { lineStyle: { color: ink.grid } },
  };

  // --- charts ------------------------------------------------------------------------------
  const charts = [];
  let trend = null;
  let units = null;
  if (typeof echarts !== "undefined") {
    trend = echarts.init(document.getElementById("trend-chart"));
    units = echarts.init(document.getElementById("unit-chart"));
    charts.push(trend, units);
    trend.on("click", (p) => go(data.trend.urls[kinds[p.seriesIndex][0]][p.dataIndex]));
    units.on("click", (p) => {
      const row = data.units[data.units.length - 1 - p.dataIndex];
      if (row) go(p.seriesIndex === 0 ? row.satisfaction.url : row.on_time.url);
    });
    window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  }

  function drawCharts() {
    if (!trend) return;
    trend.setOption({
      backgroundColor: "transparent",
      textStyle: { color: ink.text },
      tooltip: { trigger: "axis", valueFormatter: percent },
      legend: { top: 0, textStyle: { color: ink.text, fontSize: size } },
      grid: { left: 48, right: 18, top: 38, bottom: 28 },
      xAxis: { type: "category", data: data.trend.months.map((m) => m.slice(2)), ...axis },
      yAxis: { type: "value", min: 0, max: 100, ...axis,
               axisLabel: { ...axis.axisLabel, formatter: "{value}%" } },
      series: kinds.map(([key, name, colour]) => ({
        name, type: "line", data: data.trend.series[key], connectNulls: true,
        symbolSize: wall ? 8 : 6, lineStyle: { width: wall ? 3 : 2 },
        itemStyle: { color: colour }, cursor: "pointer",
      })),
    });
    // best at the top: the rows come best first, a horizontal axis draws from the bottom
    const rows = [...data.units].reverse();
    units.setOption({
      backgroundColor: "transparent",
      textStyle: { color: ink.text },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent },
      legend: { top: 0, textStyle: { color: ink.text, fontSize: size } },
      grid: { left: 8, right: 24, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, ...axis,
               axisLabel: { ...axis.axisLabel, formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map((row) => row.name), ...axis,
               axisLabel: { ...axis.axisLabel, color: ink.text } },
      series: [
        { name: "满意率", type: "bar", data: rows.map((row) => row.satisfaction.percent),
          itemStyle: { color: "#38c6ff" }, barMaxWidth: 14, cursor: "pointer" },
        { name: "按时办结率", type: "bar", data: rows.map((row) => row.on_time.percent),
          itemStyle: { color: "#3ddc97" }, barMaxWidth: 14, cursor: "pointer" },
      ],
    }, { notMerge: false });
  }

  // --- the map -----------------------------------------------------------------------------
  const mapBox = document.getElementById("command-map");
  let layer = null;
  let map = null;
  if (mapBox && typeof L !== "undefined") {
    map = L.map(mapBox, { zoomSnap: 0.5, attributionControl: Boolean(root.dataset.attribution) });
    if (root.dataset.tiles) {
      L.tileLayer(root.dataset.tiles, { attribution: root.dataset.attribution, maxZoom: 18 })
        .addTo(map);
    }
    layer = L.layerGroup().addTo(map);
  }
  const colours = { rising: "#ff5b5b", falling: "#3ddc97", steady: "#ffb547" };

  function drawMap() {
    if (!map || !data.hotspots) return;
    layer.clearLayers();
    const spots = data.hotspots.spots;
    const largest = Math.max(1, ...spots.map((spot) => spot.size));
    const bounds = [];
    for (const spot of spots) {
      const colour = colours[spot.direction] || colours.steady;
      for (const point of spot.points) {
        L.circleMarker(point, { radius: wall ? 3 : 2, weight: 0, fillColor: colour,
                                fillOpacity: 0.75, interactive: false }).addTo(layer);
        bounds.push(point);
      }
      const label = document.createElement("div");
      label.textContent = `${spot.rank}. ${spot.label}（${spot.size} 条）`;
      L.circleMarker(spot.centre, {
        radius: (wall ? 12 : 9) + 18 * Math.sqrt(spot.size / largest), weight: 2,
        color: colour, fillColor: colour, fillOpacity: 0.22,
      }).addTo(layer).bindTooltip(label, { direction: "top" }).on("click", () => go(spot.url));
      L.marker(spot.centre, {
        icon: L.divIcon({ className: "command-rank", html: String(spot.rank), iconSize: [22, 22] }),
        interactive: false, keyboard: false,
      }).addTo(layer);
      bounds.push(spot.centre);
    }
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [56, 56], maxZoom: 15 });
    } else {
      map.setView([33.963, 118.275], 12);  // the demo city; no hotspot to frame
    }
  }

  // --- numbers and lists -------------------------------------------------------------------
  function setLink(link, url, text) {
    if (!link) return;
    link.href = url;
    const value = link.querySelector("[data-part=value]");
    (value || link).textContent = text;
  }

  function fillList(list, items) {
    if (!list) return;
    const rows = items.map((item) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = item.url;
      const label = document.createElement("span");
      label.className = "command-list-label";
      label.textContent = item.label;
      const value = document.createElement("span");
      value.className = "command-list-value";
      value.textContent = item.value;
      a.append(label, value);
      li.append(a);
      if (item.note) {
        const note = document.createElement("span");
        note.className = "command-list-note";
        note.textContent = item.note;
        li.append(note);
      }
      return li;
    });
    if (!rows.length) {
      const li = document.createElement("li");
      li.className = "command-list-empty";
      li.textContent = list.dataset.empty;
      rows.push(li);
    }
    list.replaceChildren(...rows);
  }

  function cell(rate) {
    const td = document.createElement("td");
    const a = document.createElement("a");
    a.href = rate.url;
    a.textContent = rate.value;
    td.append(a);
    if (rate.denominator !== undefined) {
      const ratio = document.createElement("span");
      ratio.className = "command-ratio";
      ratio.textContent = `${rate.numerator}/${rate.denominator}`;
      td.append(" ", ratio);
    }
    return td;
  }

  function fillUnits() {
    document.querySelectorAll("[data-list=units]").forEach((body) => {
      body.replaceChildren(...data.units.map((row) => {
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = row.name;
        tr.append(th, cell(row.satisfaction), cell(row.on_time),
                  cell({ url: row.overdue.url, value: String(row.overdue.count) }));
        return tr;
      }));
    });
  }

  function fillNumbers() {
    for (const tile of data.tiles) {
      const box = root.querySelector(`[data-tile="${tile.key}"]`);
      if (!box) continue;
      setLink(box.querySelector(".command-tile-value"), tile.url, tile.value);
      box.classList.toggle("is-alarm", Boolean(tile.alarm));
      const ratio = box.querySelector("[data-part=ratio]");
      if (ratio) ratio.textContent = `${tile.numerator} / ${tile.denominator}`;
      const extra = box.querySelector("[data-part=extra]");
      if (extra && tile.extra) setLink(extra, tile.extra.url, `${tile.extra.label} ${tile.extra.count}`);
    }
    for (const name of ["projects", "targets", "hotspots", "overdue", "orders", "ranking"]) {
      const panel = data[name];
      if (!panel) continue;
      const count = root.querySelector(`[data-count="${name}"]`);
      setLink(count, panel.url, String(panel.count));
      if (count && name !== "hotspots" && name !== "ranking") {
        count.classList.toggle("is-alarm", panel.count > 0);
      }
      fillList(root.querySelector(`[data-list="${name}"]`), panel.items);
    }
    fillUnits();
    for (const field of ["computed_at", "period"]) {
      root.querySelectorAll(`[data-field="${field}"]`).forEach((el) => {
        el.textContent = data[field];
      });
    }
  }

  // --- the clock and the refresh -----------------------------------------------------------
  // the bureau's time, whatever the wall's computer is set to
  const clock = document.getElementById("command-clock");
  const day = document.getElementById("command-date");
  const zone = root.dataset.timeZone || undefined;
  const time = new Intl.DateTimeFormat("zh-CN", {
    timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  const date = new Intl.DateTimeFormat("zh-CN", {
    timeZone: zone, year: "numeric", month: "long", day: "numeric", weekday: "long",
  });
  function tick() {
    const now = new Date();
    if (clock) clock.textContent = time.format(now);
    if (day) day.textContent = date.format(now).replace(/\s+/g, " ");
  }
  tick();
  window.setInterval(tick, 1000);

  const stale = document.getElementById("command-stale");
  async function refresh() {
    try {
      const response = await fetch(root.dataset.url, {
        headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) {
        throw new Error(response.redirected ? "登录已过期，请重新登录" : `HTTP ${response.status}`);
      }
      data = await response.json();
      fillNumbers();
      drawCharts();
      drawMap();
      root.dataset.refreshed = String(Number(root.dataset.refreshed || 0) + 1);
      if (stale) stale.hidden = true;
    } catch (error) {
      if (stale) {
        stale.textContent = `· 数据未能刷新（${error.message}），显示的是 ${data.computed_at} 的数据`;
        stale.hidden = false;
      }
    }
  }
  const seconds = Number(root.dataset.refresh);
  if (seconds > 0) window.setInterval(refresh, seconds * 1000);

  drawCharts();
  drawMap();
})();
