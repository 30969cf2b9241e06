"""Regenerate the pictures of the README and the docs from real runs: dashboard, slide, deck.

Run from anywhere: python scripts/readme_pictures.py
It starts the dashboard on 127.0.0.1, drives Debian's Chromium with Playwright, renders a
slide image through the renderer and exports a presentation, as a user would.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "docs" / "images"
CASE = ROOT / "timelines" / "nomura-2025-case2.yaml"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    """Until the server answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    """Write docs/images/dashboard.png, slide.png and deck.png."""
    PICTURES.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "dashboard"]
    subprocess.run(
        [*command, "render", str(CASE), "-o", str(PICTURES / "slide.png"), "--size", "slide"],
        check=True,
    )
    port = free_port()
    server = subprocess.Popen([*command, "serve", str(ROOT / "timelines"), "--port", str(port)])
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
            deck = Path(folder) / "deck.html"
            subprocess.run([*command, "present", str(CASE), "-o", str(deck)], check=True)
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{base}/case/{CASE.stem}")
            page.wait_for_selector("#chart .js-plotly-plot .main-svg")
            page.get_by_text("Show everything").wait_for()  # the controls hold the view
            page.wait_for_timeout(500)  # let the responsive chart settle at its final width
            page.screenshot(path=str(PICTURES / "dashboard.png"))
            slides = browser.new_page(viewport={"width": 1600, "height": 900})
            slides.goto(deck.as_uri() + "#4")
            slides.wait_for_selector(".slide:not([hidden]) .js-plotly-plot .main-svg")
            slides.screenshot(path=str(PICTURES / "deck.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    for name in ("dashboard.png", "slide.png", "deck.png"):
        print(PICTURES / name)


if __name__ == "__main__":
    main()
