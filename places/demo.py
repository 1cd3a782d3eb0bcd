"""The demo city's gazetteer: the roads, estates and markets the demo demands and the
example message-board export name, with approximate points (so a point-less message
that names one of them is placed on the map)."""

from __future__ import annotations

from decimal import Decimal

from .models import Place, PlaceKind, PlaceSource

K = PlaceKind
# name, kind, aliases, district, (longitude, latitude)
PLACES = [
    ("洪泽湖路", K.ROAD, ["洪泽湖东路", "洪泽湖西路"], "宿城区", (118.2870, 33.9560)),
    ("幸福路", K.ROAD, [], "宿城区", (118.2790, 33.9680)),
    ("发展大道", K.ROAD, [], "宿城区", (118.3010, 33.9600)),
    ("西湖路", K.ROAD, [], "宿城区", (118.2660, 33.9610)),
    ("黄河路", K.ROAD, ["黄河南路", "黄河北路"], "宿城区", (118.2920, 33.9650)),
    ("人民大道", K.ROAD, [], "宿城区", (118.2950, 33.9500)),
    ("青海湖路", K.ROAD, [], "宿豫区", (118.3200, 33.9700)),
    ("太湖路", K.ROAD, [], "宿城区", (118.3050, 33.9450)),
    ("幸福路菜市场", K.MARKET, ["幸福路菜场", "幸福菜场", "幸福菜市场"], "宿城区",
     (118.2795, 33.9688)),
    ("阳光花园", K.ESTATE, ["阳光花园小区"], "宿城区", (118.2671, 33.9622)),
    ("颐和家园", K.ESTATE, [], "宿城区", (118.2840, 33.9550)),
    ("金鹰天地广场", K.LANDMARK, ["金鹰广场", "金鹰天地"], "宿城区", (118.2960, 33.9580)),
    ("幸福社区", K.COMMUNITY, ["幸福社区居委会"], "宿城区", None),
    ("宿城区", K.DISTRICT, [], "", None),
    ("宿豫区", K.DISTRICT, [], "", None),
]


def build(context: dict) -> list[str]:
    made = 0
    for name, kind, aliases, district, point in PLACES:
        lon, lat = (Decimal(f"{point[0]:.6f}"), Decimal(f"{point[1]:.6f}")) if point \
            else (None, None)
        _, created = Place.objects.update_or_create(name=name, defaults={
            "kind": kind, "aliases": aliases, "district": district, "longitude": lon,
            "latitude": lat, "source": PlaceSource.DEMO, "confirmed": True,
            "is_active": True})
        made += created
    return [f"地名库 {len(PLACES)} 个地名（道路、小区、市场、地标）"]
