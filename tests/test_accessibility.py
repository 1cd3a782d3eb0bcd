"""axe-core (bundled with axe-playwright-python) finds no serious or critical violation on
the portal's pages, at a 360-px phone width and at 200% zoom."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

pytestmark = pytest.mark.browser

PAGES = ["/", "/submit/", "/track/", "/demands/", "/services/", "/services/hwgg/",
         "/appointments/", "/appointments/cancel/", "/board/", "/board/huanwei/",
         "/track/evaluate/", "/e/no-such-link/"]


@pytest.fixture
def demo_site(browser, transactional_db, live_server, settings):
    settings.DEMO_DEMANDS = 10
    call_command("load_demo", verbosity=0)
    return live_server.url


def serious(results) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_violations_on_a_phone(browser, demo_site):
    axe = Axe()
    page = browser.new_page(viewport={"width": 360, "height": 780})
    problems = {}
    for path in PAGES:
        page.goto(demo_site + path)
        found = serious(axe.run(page))
        if found:
            problems[path] = found
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways at 360 px ({width}px)"
    page.close()
    assert not problems, problems


def test_pages_work_at_200_percent_zoom(browser, demo_site):
    # 200% zoom of a 1280-px window is a 640-CSS-px viewport at device scale factor 2.
    page = browser.new_page(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    for path in PAGES:
        page.goto(demo_site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 640, f"{path} scrolls sideways at 200% zoom ({width}px)"
        assert page.locator("main").is_visible()
    page.close()


