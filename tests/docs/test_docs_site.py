"""The built site: it builds strictly, carries every indicator, check and operation, and loads nothing remote.

"Docs are code": the indicator pages are generated from ``spec/``, so these tests compare the built
HTML with the catalogue rather than with hand-kept lists.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from icss.conformance import registered_checks
from icss.spec import load_catalogue

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
CAT = load_catalogue()
CHECKS = registered_checks()


class _Collector(HTMLParser):
    """Ids, resource URLs and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.resources: list[tuple[str, str]] = []  # (tag, url) the browser fetches by itself
        self.classes: set[str] = set()
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        self.classes.update(a.get("class", "").split())
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and a.get("src"):
            self.resources.append((tag, a["src"]))
        if tag == "link" and a.get("href") and a.get("rel") not in ("canonical", "alternate"):
            self.resources.append((f"link rel={a.get('rel')}", a["href"]))
        if tag == "object" and a.get("data"):
            self.resources.append((tag, a["data"]))
        self._in_style = tag == "style"
        if "style" in a:
            self.styles.append(a["style"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*['"]?\s*((?:https?:)?//[^'")\s]+)""", re.IGNORECASE)
FONT_HOSTS = re.compile(r"fonts\.(?:googleapis|gstatic)\.com|use\.typekit|fonts\.bunny", re.IGNORECASE)


def test_strict_build_succeeds(build: Any) -> None:
    assert build.returncode == 0, build.output
    assert (build.site / "index.html").is_file()


def test_every_indicator_has_its_anchor_on_its_area_page(site: Path) -> None:
    assert CAT.active(), "the catalogue has no active indicators"
    missing = []
    for area in CAT.areas:
        page = site / "areas" / area.id.lower() / "index.html"
        assert page.is_file(), f"no page for area {area.id}"
        ids = parse(page).ids
        missing += [ind.id for ind in area.indicators if ind.id not in ids]
    assert not missing, f"indicators without an anchor id on their area page: {missing}"


def test_every_active_indicator_id_appears_as_an_anchor_on_the_site(site: Path) -> None:
    html = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    missing = [ind.id for ind in CAT.active() if f'id="{ind.id}"' not in html]
    assert not missing, missing


def test_every_check_appears_on_its_indicators_page(site: Path) -> None:
    """Both sources of the link: the ``checks`` lists of spec/ and the harness's own registry."""
    for area in CAT.areas:
        text = (site / "areas" / area.id.lower() / "index.html").read_text(encoding="utf-8")
        for ind in area.indicators:
            for check in {*ind.checks, *(c.name for c in CHECKS.values() if ind.id in c.indicators)}:
                assert check in text, f"{ind.id}: check {check!r} not shown"


def section_of(site: Path, ind_id: str) -> str:
    """The HTML of one indicator's section on its area page."""
    text = (site / "areas" / ind_id[:2].lower() / "index.html").read_text(encoding="utf-8")
    return text.split(f'id="{ind_id}"', 1)[1].split("<h2", 1)[0]


def test_indicators_without_checks_say_so(site: Path) -> None:
    """An automated or hybrid indicator without a check is shown as "none yet", never silently blank."""
    covered = {i for c in CHECKS.values() for i in c.indicators}
    unchecked = [i for i in CAT.active() if i.id not in covered and i.verification != "attested"]
    for ind in unchecked:
        assert "none yet" in section_of(site, ind.id), ind.id
    # ... and one with a check never says so.
    for ind in CAT.active():
        if ind.id in covered:
            assert "none yet" not in section_of(site, ind.id), ind.id


def test_attested_indicators_say_they_are_decided_from_attestations(site: Path) -> None:
    attested = [i for i in CAT.active() if i.verification == "attested"]
    assert attested
    for ind in attested:
        section = section_of(site, ind.id)
        assert "decided from attestations" in section, ind.id
        assert "none yet" not in section, ind.id


def test_every_operation_and_parameter_has_an_anchor(site: Path) -> None:
    openapi = yaml.safe_load((REPO / "spec" / "openapi.yaml").read_text(encoding="utf-8"))
    ops = {
        op["operationId"]
        for item in openapi["paths"].values()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    ids: set[str] = set()
    for page in (site / "interface").rglob("index.html"):
        ids |= parse(page).ids
    assert not ops - ids, f"operations without an anchor: {sorted(ops - ids)}"
    profile_ids = parse(site / "profiles" / "index.html").ids
    assert not set(CAT.parameters) - profile_ids, sorted(set(CAT.parameters) - profile_ids)


def test_navigation_lists_every_area_in_manifest_order(site: Path) -> None:
    text = (site / "index.html").read_text(encoding="utf-8")
    nav = text.split("md-nav--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
    hrefs = list(dict.fromkeys(re.findall(r'href="(?:\./)?areas/([a-z]{2})/"', nav)))
    assert hrefs == [a.id.lower() for a in CAT.areas], hrefs
    assert [a.id for a in CAT.areas] == yaml.safe_load((REPO / "spec" / "manifest.yaml").read_text())["areas"]


def test_no_generated_markdown_is_committed() -> None:
    """Area and interface pages exist only in the build; a file in docs/ would be a second copy."""
    stray = list((DOCS / "areas").glob("*.md"))
    stray += [p for p in (DOCS / "interface").glob("*.md") if p.name != "index.md"]
    assert not stray, stray


def test_built_site_loads_nothing_remote(site: Path) -> None:
    remote = []
    mermaid = []
    for page in site.rglob("*.html"):
        collected = parse(page)
        remote += [(str(page.relative_to(site)), tag, url) for tag, url in collected.resources if REMOTE.match(url)]
        remote += [
            (str(page.relative_to(site)), "style", m.group(1)) for s in collected.styles for m in CSS_REMOTE.finditer(s)
        ]
        if "mermaid" in collected.classes:
            mermaid.append(str(page.relative_to(site)))
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        remote += [(str(css.relative_to(site)), "css", m.group(1)) for m in CSS_REMOTE.finditer(text)]
        if FONT_HOSTS.search(text):
            remote.append((str(css.relative_to(site)), "css", FONT_HOSTS.search(text).group(0)))  # type: ignore[union-attr]
    assert not remote, f"the site fetches remote resources: {remote[:10]}"
    assert not mermaid, f"Mermaid diagrams load their script from a CDN: {mermaid}"


def test_search_index_is_built(site: Path) -> None:
    index = site / "search" / "search_index.json"
    assert index.is_file()
    assert "CP-01" in index.read_text(encoding="utf-8")


def test_schemas_and_openapi_are_downloadable(site: Path) -> None:
    assert (site / "openapi.yaml").read_bytes() == (REPO / "spec" / "openapi.yaml").read_bytes()
    for schema in (REPO / "spec" / "schemas").glob("*.schema.json"):
        assert (site / "schemas" / schema.name).is_file(), schema.name


def test_changelog_is_included(site: Path) -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first_entry = next(line for line in changelog.splitlines() if line.startswith("### "))
    text = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert first_entry.lstrip("# ").split(" — ")[0] in text
