"""Take the README's screenshots from a running instance (``make run`` in another shell).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Writes PNG files into docs/screenshots/: the portal on a phone-sized screen, the console
login, and the console home of the bureau leader on a desktop-sized screen.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        phone.goto(base + "/")
        phone.screenshot(path=OUT / "portal-phone.png", full_page=True)

        desk = browser.new_page(viewport={"width": 1366, "height": 860})
        desk.goto(base + "/console/login/")
        desk.screenshot(path=OUT / "console-login.png")
        desk.fill("input[name=username]", sys.argv[2] if len(sys.argv) > 2 else "leader")
        desk.fill("input[name=password]", "Sanmanyi@2015")
        desk.click("button[type=submit]")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=OUT / "console-home.png", full_page=True)
        desk.goto(base + "/console/org/")
        desk.screenshot(path=OUT / "console-org.png", full_page=True)
        desk.goto(base + "/console/dashboard/")
        desk.wait_for_timeout(1000)  # the charts animate in
        desk.screenshot(path=OUT / "console-dashboard.png", full_page=True)
        desk.goto(base + "/console/demands/?queue=handling")
        desk.locator("[data-testid=demand-row] a").first.click()
        desk.screenshot(path=OUT / "console-demand.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
