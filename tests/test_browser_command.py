"""The leaders' command dashboard (指挥大屏) in Chromium, on the demo city with two planted
hotspots: the charts and the map draw without a JavaScript error, a click on a number (a
tile, a chart's point) reaches the list behind it, the wall at 1920 × 1080 fits the screen,
keeps its clock and fetches new figures by itself; axe finds nothing serious.

The map tiles are drawn by the test (no network at test time): a plain street pattern
served from the site's own origin. Screenshots: docs/screenshots/command-*.png."""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from catalog.models import Category
from demands.actions.intake import register
from demands.models import Demand, State
from org.demo import DEMO_PASSWORD
from org.models import Unit

from .demand_helpers import intake
from .hotspot_helpers import FUMES, FUMES_POINT, MUCK, MUCK_POINT, jitter
from .test_accessibility import serious

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
TILES = "/map-tiles/{z}/{x}/{y}.png"


BLOCK = 96  # a city block, in pixels at any zoom


def _hash(*numbers: int) -> int:
    return random.Random("/".join(map(str, numbers))).randrange(100)


def tile(z: int, x: int, y: int) -> bytes:
    """A street map in the colours of common light tiles — blocks, parks, streets, main
    roads every fourth block, a river — drawn in world pixels, so that the roads run on
    from one tile to the next. The board darkens every tile layer as it would real ones."""
    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    left, top = x * 256, y * 256
    first_i, first_j = left // BLOCK - 1, top // BLOCK - 1
    for i in range(first_i, first_i + 5):
        for j in range(first_j, first_j + 5):
            kind = _hash(z, i, j)
            colour = (200, 230, 180) if kind < 12 else (224, 221, 216) if kind < 80 else None
            if colour:
                box = (i * BLOCK - left + 9, j * BLOCK - top + 9,
                       (i + 1) * BLOCK - left - 9, (j + 1) * BLOCK - top - 9)
                draw.rectangle(box, fill=colour)
    # the river: a band along a slow curve across the city, south of the old town
    river = (1 - math.asinh(math.tan(math.radians(33.951))) / math.pi) / 2 * 256 * 2 ** z
    middle = [(px, river + 70 * math.sin((left + px) / 350) - top) for px in range(-8, 265, 4)]
    draw.polygon([(px, py - 15) for px, py in middle] + [(px, py + 15) for px, py in middle[::-1]],
                 fill=(170, 211, 223))
    for i in range(first_i, first_i + 5):
        main = i % 4 == 0
        at = i * BLOCK - left
        draw.line([(at, 0), (at, 256)], fill=(252, 214, 164) if main else (255, 255, 255),
                  width=9 if main else 5)
    for j in range(first_j, first_j + 5):
        main = j % 4 == 0
        at = j * BLOCK - top
        draw.line([(0, at), (256, at)], fill=(252, 214, 164) if main else (255, 255, 255),
                  width=9 if main else 5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def serve_tiles(page):
    def fulfil(route):
        z, x, y = (int(n) for n in re.findall(r"/(\d+)/(\d+)/(\d+)\.png", route.request.url)[0])
        route.fulfill(status=200, content_type="image/png", body=tile(z, x, y))

    page.route("**/map-tiles/**", fulfil)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda r: r.abort())


def plant(receiver, category, texts, point, seed):
    """A hotspot of the last two weeks, registered as the receiver would."""
    rng = random.Random(seed)
    now = timezone.now()
    for index, (title, content) in enumerate(texts):
        lat, lon = jitter(rng, point, 150)
        register(receiver, intake(category, title=title, content=content,
                                  latitude=f"{lat:.6f}", longitude=f"{lon:.6f}",
                                  requester_phone=f"139{seed:03d}{index:05d}"),
                 at=now - dt.timedelta(days=14 - index, hours=2))


@pytest.fixture
def site(browser, transactional_db, live_server, settings):
    settings.DEMO_DEMANDS = 240  # a year of the demo city, enough to look like one
    settings.MAP_TILE_URL = TILES
    settings.MAP_TILE_ATTRIBUTION = "测试底图"
    call_command("load_demo", verbosity=0)
    receiver = get_user_model().objects.get(username="receiver")
    plant(receiver, Category.objects.get(code="zhatu-saluo"), MUCK, MUCK_POINT, 1)
    plant(receiver, Category.objects.get(code="canyin-youyan"), FUMES, FUMES_POINT, 2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def sign_in(browser, site, username, viewport):
    page = browser.new_page(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    serve_tiles(page)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")
    return SimpleNamespace(page=page, errors=errors)


def drawn(page):
    """The charts have their canvas, the map its hotspots and its tiles."""
    for chart in ("#trend-chart", "#unit-chart"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
    expect(page.locator("#command-map .command-rank")).to_have_count(2)  # two hotspots
    expect(page.locator("#command-map img.leaflet-tile-loaded").first).to_be_visible()
    page.wait_for_timeout(1200)  # the charts animate in


def rows_listed(page) -> int:
    return page.get_by_test_id("demand-row").count()


def test_the_board_draws_and_every_number_opens_its_list(browser, site):
    signed = sign_in(browser, site, "leader", {"width": 1366, "height": 900})
    page = signed.page
    page.get_by_role("button", name="数据看板").click()
    page.get_by_role("link", name="指挥大屏").click()
    page.wait_for_url("**/console/command/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("三满意指挥大屏")
    drawn(page)
    hotspots = page.get_by_test_id("hotspots")
    expect(hotspots.get_by_test_id("count-hotspots")).to_contain_text("2")
    expect(hotspots.locator("[data-list=hotspots] li").first).to_contain_text("渣土车")
    page.screenshot(path=SHOTS / "command-console.png", full_page=True)
    assert not serious(Axe().run(page))

    # 当前超期 → the queue 已超期, holding as many demands as the tile says
    overdue = page.get_by_test_id("tile-open_overdue")
    count = int(overdue.locator("[data-part=value]").inner_text())
    assert count == Demand.objects.overdue(timezone.now()).count() > 0
    overdue.click()
    page.wait_for_url("**/console/demands/?queue=overdue")
    assert rows_listed(page) == count
    page.go_back()

    # 群众满意率 · 不满意 → the list behind the figure, with its caption
    extra = page.get_by_test_id("tile-citizen-extra")
    missed = int(re.search(r"\d+", extra.inner_text()).group())
    extra.click()
    page.wait_for_url(re.compile(r".*kpi=satisfaction_citizen.*part=miss"))
    expect(page.get_by_test_id("records-caption")).to_contain_text("群众满意率 · 不满意")
    assert rows_listed(page) == missed
    page.go_back()

    # a point of the trend: this month's 群众满意率, clicked on the canvas (where the three
    # lines meet, the one drawn on top answers)
    drawn(page)
    box = page.locator("#trend-chart").bounding_box()
    x, y, urls = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById("trend-chart"));
        const data = JSON.parse(document.getElementById("command-data").textContent);
        const last = data.trend.months.length - 1;
        const value = data.trend.series.citizen[last];
        const [x, y] = chart.convertToPixel({seriesIndex: 0}, [last, value]);
        const kinds = ["citizen", "grassroots", "enterprise"].filter(
            (kind) => data.trend.series[kind][last] === value);
        return [x, y, kinds.map((kind) => data.trend.urls[kind][last])];
    }""")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(r".*kpi=satisfaction_.*"))
    assert page.url.removeprefix(site) in urls
    month = timezone.localdate().strftime("%Y-%m")
    expect(page.get_by_test_id("records-caption")).to_contain_text(f"{month}-01 至")
    assert not signed.errors, signed.errors
    page.close()


def test_the_wall_at_1920_by_1080_fits_ticks_and_refreshes_itself(browser, site, settings):
    signed = sign_in(browser, site, "leader", {"width": 1920, "height": 1080})
    page = signed.page
    page.goto(site + "/console/command/?wall=1")
    drawn(page)
    expect(page.locator("#console-nav")).to_have_count(0)
    width, height = page.evaluate("[document.documentElement.scrollWidth, "
                                  "document.documentElement.scrollHeight]")
    assert (width, height) == (1920, 1080), "the wall scrolls"
    for panel in ("projects", "targets", "hotspots"):  # every panel on the screen
        box = page.get_by_test_id(panel).bounding_box()
        assert box["y"] + box["height"] <= 1080, panel
    clock = page.get_by_test_id("clock")
    before = clock.inner_text()
    expect(clock).not_to_have_text(before, timeout=3000)  # it ticks
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", clock.inner_text())
    page.screenshot(path=SHOTS / "command-wall.png")
    assert not serious(Axe().run(page))

    # a new demand goes past its deadline: the wall shows it without a reload
    settings.COMMAND_REFRESH_SECONDS = 2
    page.reload()
    expect(page.get_by_test_id("computed-at")).to_contain_text("每 2 秒刷新")
    tile = page.get_by_test_id("tile-open_overdue").locator("[data-part=value]")
    count = int(tile.inner_text())
    now = timezone.now()
    late = Demand.objects.filter(state=State.HANDLING).exclude(
        pk__in=Demand.objects.overdue(now).values("pk")).first()
    Demand.objects.filter(pk=late.pk).update(deadline=now - dt.timedelta(hours=1))
    expect(tile).to_have_text(str(count + 1), timeout=8000)
    expect(page.get_by_test_id("tile-open_overdue")).to_have_attribute(
        "href", "/console/demands/?queue=overdue")
    assert int(page.locator("#command").get_attribute("data-refreshed")) >= 1
    assert not signed.errors, signed.errors
    page.close()


def test_a_unit_heads_wall_shows_their_unit(browser, site):
    signed = sign_in(browser, site, "head_digital", {"width": 1920, "height": 1080})
    page = signed.page
    page.goto(site + "/console/command/?wall=1")
    unit = Unit.objects.get(code="digital")
    expect(page.get_by_test_id("scope")).to_contain_text(unit.display_name)
    expect(page.get_by_test_id("hotspots")).to_have_count(0)  # the hotspot page is not theirs
    units = page.get_by_test_id("units").locator("tbody th")
    expect(units.first).to_have_text(unit.display_name)
    # in the map's place, their demands longest past the deadline (the planted ones)
    late = Demand.objects.overdue(timezone.now()).filter(current_unit=unit).count()
    assert late > 0
    expect(page.get_by_test_id("count-overdue").locator("[data-part=value]")).to_have_text(
        str(late))
    expect(page.get_by_test_id("tile-open_overdue")).to_contain_text(str(late))
    for chart in ("#trend-chart", "#unit-chart"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
    page.wait_for_timeout(1200)
    assert page.evaluate("document.documentElement.scrollHeight") == 1080
    page.screenshot(path=SHOTS / "command-wall-unit.png")
    assert not serious(Axe().run(page))
    first = page.get_by_test_id("overdue").locator("li a").first
    number = first.locator("xpath=..").locator(".command-list-note").inner_text().split(" · ")[0]
    first.click()
    page.wait_for_url(f"**/console/demands/{number}/")
    assert not signed.errors, signed.errors
    page.close()
