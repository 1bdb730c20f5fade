"""The built site in a real headless Chromium: it renders, navigates, and fetches nothing remote.

Screenshots of the home page and an area page are written to a temporary folder (their paths
are printed, so a failing run can be looked at). There is no reference image: pixel comparisons
break on every font or Material update, so the tests assert layout facts that a regression would
break instead — the title, all seven areas in the navigation, a visible indicator anchor with its
badge line, working content tabs, offline search, and a screenshot that is not a blank page.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``; install ``fonts-wqy-microhei`` or
another CJK font so that Chinese renders in screenshots) and the ``playwright`` Python package.
Never ``playwright install``: the tests drive the system browser.
"""

from __future__ import annotations

import base64
import functools
import http.server
import importlib.util
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from icss.spec import load_catalogue

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CAT = load_catalogue()

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import Page, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, served from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser_page(base_url: str) -> Iterator[tuple[Page, list[str]]]:
    if sync_playwright is None:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium)")
    remote: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def record(request: Any) -> None:
            host = urlsplit(request.url).hostname
            if request.url.startswith(("http:", "https:")) and host != "127.0.0.1":
                remote.append(request.url)

        page.on("request", record)
        try:
            yield page, remote
        finally:
            browser.close()


def colours(page: Page, png: bytes) -> tuple[int, float]:
    """(distinct colours, share of the most common colour) of a PNG, counted by the browser itself."""
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    distinct, top = page.evaluate(
        """async (url) => {
            const img = new Image(); img.src = url; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            const counts = new Map(); let n = 0;
            for (let i = 0; i < d.length; i += 4 * 7) {
                const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
                counts.set(k, (counts.get(k) || 0) + 1); n++;
            }
            return [counts.size, Math.max(...counts.values()) / n];
        }""",
        url,
    )
    return int(distinct), float(top)


def assert_not_blank(page: Page, path: Path) -> None:
    png = path.read_bytes()
    distinct, top = colours(page, png)
    assert distinct > 50, f"{path}: only {distinct} colours — a blank or broken page?"
    assert top < 0.97, f"{path}: {top:.0%} of the image is one colour"


def assert_all_areas_in_nav(page: Page) -> None:
    nav = page.locator("nav.md-nav--primary")
    for area in CAT.areas:
        link = nav.get_by_role("link", name=re.compile(rf"^{area.id} ")).first
        assert link.is_visible(), f"area {area.id} is not visible in the navigation"
        assert area.title.en in link.inner_text()


def test_home_page(browser_page: tuple[Page, list[str]], base_url: str, tmp_path: Path) -> None:
    page, remote = browser_page
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    shot = tmp_path / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    assert "ICSS" in page.title()
    assert page.locator("h1").first.inner_text().startswith("ICSS")
    assert_all_areas_in_nav(page)
    # The language note and the generated level table are on the home page.
    assert page.locator(".admonition.info").first.is_visible()
    for level in CAT.levels:
        assert page.get_by_text(level.title.en, exact=False).first.is_visible()
    assert_not_blank(page, shot)
    assert not remote, f"the page fetched remote resources: {remote}"


def test_area_page(browser_page: tuple[Page, list[str]], base_url: str, tmp_path: Path) -> None:
    page, remote = browser_page
    area = CAT.areas[0]
    first = next(i for i in area.indicators if i.active)
    page.goto(f"{base_url}areas/{area.id.lower()}/#{first.id}")
    page.wait_for_load_state("networkidle")
    shot = tmp_path / f"area-{area.id.lower()}.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")

    assert area.id in page.title()
    assert_all_areas_in_nav(page)
    heading = page.locator(f"h2[id='{first.id}']")
    assert heading.is_visible()
    box = heading.bounding_box()
    assert box is not None
    assert 0 <= box["y"] < 400, f"{first.id} is not scrolled into view (y={box['y']})"
    assert first.id in heading.inner_text()
    badges = page.locator(f"h2[id='{first.id}'] + p.icss-badges .icss-badge")
    assert badges.count() >= 3
    assert f"L{first.level}" in badges.first.inner_text()
    assert_not_blank(page, shot)

    # The bilingual tabs switch: the English statement becomes visible.
    tabs = page.locator(f"h2[id='{first.id}'] ~ div.tabbed-set").first
    english = tabs.locator("label", has_text="English")
    english.click()
    assert tabs.get_by_text(first.statement.en.split("{")[0][:40].strip(), exact=False).first.is_visible()
    assert not remote, f"the page fetched remote resources: {remote}"


def search(page: Page, query: str) -> int:
    """Type ``query`` into the built-in search and return how many results it lists."""
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item")
    for _ in range(5):  # the first keystrokes may arrive before the search worker has its index
        box.click()
        box.fill(query)
        box.press("End")
        box.press("Space")
        box.press("Backspace")
        try:
            results.first.wait_for(state="visible", timeout=3_000)
        except PlaywrightTimeout:
            continue
        return results.count()
    return 0


@pytest.mark.parametrize("query", ["cooling", "Regulation", "冷静期"])
def test_search_works_offline(browser_page: tuple[Page, list[str]], base_url: str, query: str) -> None:
    if not query.isascii() and importlib.util.find_spec("jieba") is None:
        pytest.skip("Chinese search needs jieba at build time (pip install jieba)")
    page, remote = browser_page
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert search(page, query) > 0, f"search finds nothing for {query!r}"
    assert not remote, f"search fetched remote resources: {remote}"


def test_sample_report_page(browser_page: tuple[Page, list[str]], base_url: str, tmp_path: Path) -> None:
    """The rendered sample report: verdict, outcome chips and a working link to the downloadable report.html."""
    page, remote = browser_page
    page.goto(f"{base_url}sample-report/")
    page.wait_for_load_state("networkidle")
    shot = tmp_path / "sample-report.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    assert page.locator(".icss-verdict").first.is_visible()
    assert page.locator(".icss-outcome--pass").count() > 0
    assert page.locator("h3[id='sample-cp']").count() == 1
    assert_not_blank(page, shot)
    page.locator("a[href$='reports/sample/report.html']").first.click()
    page.wait_for_load_state("networkidle")
    assert "ICSS" in page.locator("h1").first.inner_text()
    assert not remote, f"the page fetched remote resources: {remote}"


def test_guide_page(browser_page: tuple[Page, list[str]], base_url: str, tmp_path: Path) -> None:
    page, remote = browser_page
    page.goto(f"{base_url}guides/audit/#attestations")
    page.wait_for_load_state("networkidle")
    shot = tmp_path / "audit.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    heading = page.locator("h2[id='attestations']")
    assert heading.is_visible()
    assert page.get_by_text("# schema: attestations").first.is_visible()
    assert_not_blank(page, shot)
    assert not remote, f"the page fetched remote resources: {remote}"
