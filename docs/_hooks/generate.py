"""MkDocs hook that generates the ICSS reference pages from ``spec/`` at build time.

The standard is data (``spec/``); its pages are derived, never written twice and never committed
as generated markdown. This hook

* loads the catalogue with :func:`icss.spec.build_catalogue` and reads ``spec/openapi.yaml``
  and ``CHANGELOG.md`` once per build (``on_config``), failing the build with a clear message
  when one of them is missing — a site silently lacking a part of the standard is worse than
  no site;
* appends the generated area and interface pages to the navigation given in ``mkdocs.yml``
  (``on_config``): the nav names ``areas/index.md`` and ``interface/index.md``, and the pages
  after them come from the data, so a new area or operation tag needs no edit here;
* adds the generated pages and downloadable copies of the schemas and the OpenAPI document as
  virtual files (``on_files``);
* expands ``<!-- icss:NAME -->`` markers in hand-written pages into generated blocks
  (``on_page_markdown``). An unknown marker fails the build;
* lists under every indicator the harness checks that verify it, each with its docstring — the
  docstring of a check is user-facing text, read from :func:`icss.conformance.registered_checks`
  (the docs may import the harness; only the harness may not import the reference);
* renders the committed sample report ``reports/sample/`` (a real run of the harness against the
  reference) and offers its files for download, and generates the command-line reference from the
  typer application of ``icss`` itself, so neither can drift from the code.

Set ``ICSS_DOCS_SOURCE`` to a folder holding ``spec/`` and ``CHANGELOG.md`` to preview another
edition of the standard; by default the folder of ``mkdocs.yml`` (the checkout) is used.
"""

from __future__ import annotations

import html
import inspect
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from icss.conformance import RegisteredCheck, registered_checks
from icss.spec import Catalogue, Indicator, Parameter, ParameterValue, Profile, Reference, build_catalogue, validator

# --------------------------------------------------------------------------------------------
# Labels. Every enum of the model gets a Chinese and an English label, shown side by side.
# --------------------------------------------------------------------------------------------

OBLIGATION = {"must": ("应", "MUST"), "should": ("宜", "SHOULD")}
VERIFICATION = {
    "automated": ("自动检测", "automated"),
    "hybrid": ("检测＋审核", "hybrid"),
    "attested": ("文件审核", "attested"),
}
VERIFICATION_HELP = {
    "automated": "测试工具通过接口黑盒判定 · decided black-box by the harness through the interface",
    "hybrid": "测试工具判定可观察部分，审核员核查其余证据 · "
    "the harness decides what it can observe, an auditor reviews the rest",
    "attested": "由审核员依据文件证据判定 · decided by an auditor on documentary evidence",
}
BASIS = {
    "statutory": ("法定", "statutory"),
    "guidance": ("指引", "guidance"),
    "association_default": ("协会默认", "association default"),
}
BASIS_HELP = {
    "statutory": "法律法规规定的数值 · a number in law or regulation",
    "guidance": "监管机构或行业组织指引中的数值 · a number set by a regulator or an industry body",
    "association_default": "该辖区无明文数值，采用 ICSS 协会默认值 · "
    "no number in this jurisdiction; the ICSS association's default applies",
}
BASIS_SHORT = {
    "statutory": ("法定", "statutory"),
    "guidance": ("指引", "guidance"),
    "association_default": ("默认", "default"),
}
REF_STATUS = {"primary": ("原文", "primary"), "secondary": ("转引", "secondary")}
JURISDICTION = {
    "cn": ("中国", "China"),
    "us": ("美国", "United States"),
    "us-ma": ("美国马萨诸塞州", "Massachusetts"),
    "eu": ("欧盟", "European Union"),
    "ie": ("爱尔兰", "Ireland"),
    "uk": ("英国", "United Kingdom"),
    "au": ("澳大利亚", "Australia"),
    "intl": ("国际", "international"),
}
UNITS = {
    "calls": "次",
    "days": "天",
    "business_days": "个工作日",
    "contacts": "次",
    "messages": "条",
    "hours": "小时",
    "years": "年",
    "months": "个月",
    "milliseconds": "毫秒",
    "score_points": "分",
}
WEEKDAYS = {
    "monday": "周一",
    "tuesday": "周二",
    "wednesday": "周三",
    "thursday": "周四",
    "friday": "周五",
    "saturday": "周六",
    "sunday": "周日",
    "public_holiday": "法定节假日",
}
#: The listeners of a ``listener_list`` parameter (common.schema.json ``$defs/listener``), in Chinese.
LISTENER_NAMES = {
    "co_obligor": "共同债务人或担保人",
    "spouse": "配偶",
    "parent_of_minor": "未成年债务人的父母",
    "guardian": "监护人",
    "estate_representative": "遗产执行人或管理人",
    "successor_in_interest": "经确认的权益继受人",
    "attorney": "债务人的律师",
}
ROLES = {
    "public": "公开",
    "collector": "催收员",
    "debtor": "债务人",
    "supervisor": "主管",
    "auditor": "审核员",
    "admin": "管理员",
}
HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
MARKER = re.compile(r"<!--\s*icss:([a-z-]+)\s*-->")
#: The committed sample report and the one command that regenerates it.
SAMPLE_DIR = "reports/sample"
SAMPLE_COMMAND = "icss certify --profile cn --level 1 --out reports/sample"
SAMPLE_FILES = ("report.html", "report.json", "junit.xml", "manifest.json", "manifest.sig")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


# --------------------------------------------------------------------------------------------
# Build state: what on_config reads once and the later events render from.
# --------------------------------------------------------------------------------------------


@dataclass
class Sources:
    """Everything the generated pages are made of, read once per build."""

    root: Path
    catalogue: Catalogue
    openapi: dict[str, Any]
    changelog: str
    schema_files: tuple[Path, ...]
    checks: dict[str, RegisteredCheck]  # every check of the harness, by name
    sample: dict[str, Any]  # reports/sample/report.json

    @property
    def spec(self) -> Path:
        return self.root / "spec"

    @property
    def sample_dir(self) -> Path:
        return self.root / SAMPLE_DIR


_sources: Sources | None = None


def _state() -> Sources:
    if _sources is None:  # pragma: no cover - mkdocs always calls on_config first
        raise PluginError("icss docs hook: on_config has not run")
    return _sources


def load_sources(root: Path) -> Sources:
    """Read the spec, the interface and the changelog under ``root``; PluginError names what is missing."""
    spec = root / "spec"
    if not (spec / "manifest.yaml").is_file():
        raise PluginError(f"icss docs: no spec/manifest.yaml under {root} (set ICSS_DOCS_SOURCE?)")
    manifest = yaml.safe_load((spec / "manifest.yaml").read_text(encoding="utf-8"))
    missing = [a for a in manifest["areas"] if not (spec / "indicators" / f"{a.lower()}.yaml").is_file()]
    if missing:
        files = ", ".join(f"spec/indicators/{a.lower()}.yaml" for a in missing)
        raise PluginError(f"icss docs: the manifest lists areas without an indicator file: {files}")
    try:
        catalogue = build_catalogue(spec)  # a Path is a Traversable
    except (KeyError, ValueError, TypeError) as exc:
        raise PluginError(f"icss docs: the spec cannot be loaded ({exc!r}); run `icss spec validate`") from exc
    openapi_path = spec / "openapi.yaml"
    if not openapi_path.is_file():
        raise PluginError(
            "icss docs: spec/openapi.yaml is missing — the interface pages and every indicator's "
            "operation links are generated from it, so the site is not built without it"
        )
    openapi = yaml.safe_load(openapi_path.read_text(encoding="utf-8"))
    changelog_path = root / "CHANGELOG.md"
    if not changelog_path.is_file():
        raise PluginError(f"icss docs: {changelog_path} is missing; the changelog page includes it")
    return Sources(
        root=root,
        catalogue=catalogue,
        openapi=openapi,
        changelog=changelog_path.read_text(encoding="utf-8"),
        schema_files=tuple(sorted((spec / "schemas").glob("*.schema.json"))),
        checks=registered_checks(),
        sample=load_sample(root / SAMPLE_DIR),
    )


def load_sample(folder: Path) -> dict[str, Any]:
    """The sample report, checked against report.schema.json; PluginError says how to regenerate it."""
    path = folder / "report.json"
    missing = [name for name in SAMPLE_FILES if not (folder / name).is_file()]
    if missing:
        raise PluginError(
            f"icss docs: {folder} lacks {', '.join(missing)}; the sample-report page renders it "
            f"(regenerate with `{SAMPLE_COMMAND}`)"
        )
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PluginError(f"icss docs: {path} is not JSON ({exc})") from exc
    errors = [e.message for e in validator("report").iter_errors(doc)]
    if errors:
        raise PluginError(f"icss docs: {path} does not match report.schema.json: {errors[:3]}")
    return doc


# --------------------------------------------------------------------------------------------
# Small formatting helpers.
# --------------------------------------------------------------------------------------------


def cell(text: object) -> str:
    """Text made safe for one markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def prose(text: str) -> str:
    """Spec text made safe for markdown: no stray HTML, no accidental emphasis."""
    return html.escape(text.strip(), quote=False).replace("*", "\\*")


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def both(pair: tuple[str, str], sep: str = " · ") -> str:
    return f"{pair[0]}{sep}{pair[1]}"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "default"


def area_page(area_id: str) -> str:
    return f"areas/{area_id.lower()}.md"


def tag_page(tag: str) -> str:
    return f"interface/{slug(tag)}.md"


def rel(from_page: str, to_page: str) -> str:
    """A relative link between two doc paths (``areas/cp.md`` -> ``../profiles.md``)."""
    return os.path.relpath(to_page, os.path.dirname(from_page) or ".").replace(os.sep, "/")


TOKEN = re.compile(
    r"\{(?P<param>[a-z][a-z0-9_]*)\}"  # a parameter placeholder
    r"|(?<![A-Za-z0-9_-])(?P<ind>(?:CP|SC|DR|DS|EV|AI|OP)-[0-9]{2})(?![A-Za-z0-9_])"  # an indicator
    r"|(?<![A-Za-z0-9_./#-])(?P<word>[a-z][A-Za-z0-9]*(?:_[a-z0-9]+)*)(?![A-Za-z0-9_/-])"  # operationId, code
)


def statement(text: str, here: str, op_pages: dict[str, str] | None = None) -> str:
    """Spec prose with its parameters, indicator ids and operationIds linked, and codes set as code.

    ``{call_attempts_per_7d}`` links to the parameter's definition, ``CP-13`` to that indicator,
    ``checkContact`` to the operation; reason codes such as ``outside_contact_window`` become code.
    """
    ops = op_pages or {}

    def link(m: re.Match[str]) -> str:
        if m.group("param"):
            name = m.group("param")
            return f"[`{name}`]({rel(here, 'profiles.md')}#{name})"
        if m.group("ind"):
            ind = m.group("ind")
            return f"[{ind}]({rel(here, area_page(ind[:2]))}#{ind})"
        word = m.group("word")
        if word in ops:
            return f"[`{word}`]({rel(here, ops[word])}#{word})"
        if "_" in word:
            return f"`{word}`"
        return word

    return TOKEN.sub(link, prose(text))


def humanize_duration(value: str) -> str:
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?)?", value)
    if not m or not any(m.groups()):
        return ""
    units = (("年", "y"), ("个月", "mo"), ("周", "w"), ("天", "d"), ("小时", "h"))
    zh = "".join(f"{n}{u[0]}" for n, u in zip(m.groups(), units, strict=True) if n)
    en = " ".join(f"{n} {u[1]}" for n, u in zip(m.groups(), units, strict=True) if n)
    return f"{zh} · {en}"


def show_value(value: Any, ptype: str, unit: str | None) -> str:
    """A parameter value for a reader: units in both languages, booleans, weekdays and listeners spelt out."""
    if isinstance(value, bool):
        return "是 · yes" if value else "否 · no"
    if isinstance(value, list):
        if not value:
            return "无 · none"
        names = LISTENER_NAMES if ptype == "listener_list" else WEEKDAYS
        return ", ".join(f"{names.get(str(v), str(v))} ({v})" for v in value)
    if ptype == "duration" and isinstance(value, str):
        human = humanize_duration(value)
        return f"`{value}`" + (f"<br><small>{human}</small>" if human else "")
    if ptype == "percent":
        return f"{value} %"
    if unit:
        zh = UNITS.get(unit, "")
        return f"{value} <small>{zh}{' · ' if zh else ''}{unit.replace('_', ' ')}</small>"
    return f"`{value}`" if isinstance(value, str) else str(value)


def ref_line(ref: Reference) -> str:
    jur = JURISDICTION.get(ref.jurisdiction, (ref.jurisdiction, ref.jurisdiction))
    status = REF_STATUS[ref.status]
    return f"{ref.source}, {ref.section} [{jur[1]}, {status[1]}]"


def basis_chip(pv: ParameterValue, compact: bool = False) -> str:
    """The basis of a value as a coloured label; its tooltip names the source."""
    label = BASIS[pv.basis]
    tip = f"{both(label)}: {BASIS_HELP[pv.basis]}"
    if pv.source is not None:
        tip += " — " + ref_line(pv.source)
    text = BASIS_SHORT[pv.basis][0] if compact else both(BASIS_SHORT[pv.basis])
    return f'<span class="icss-basis icss-basis--{pv.basis}" title="{attr(tip)}">{text}</span>'


def badge(kind: str, text: str, tip: str = "") -> str:
    title = f' title="{attr(tip)}"' if tip else ""
    return f'<span class="icss-badge icss-badge--{kind}"{title}>{text}</span>'


# --------------------------------------------------------------------------------------------
# OpenAPI reading.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    tag: str
    spec: dict[str, Any]
    path_item: dict[str, Any]


def operations(openapi: dict[str, Any]) -> list[Operation]:
    """Every operation of the document, in the order the document gives them."""
    found = []
    for path, item in (openapi.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                tags = op.get("tags") or ["default"]
                op_id = op.get("operationId") or f"{method}-{slug(path)}"
                found.append(Operation(op_id, method, path, tags[0], op, item))
    return found


def tags(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    """(tag, description) in the document's declared order, then any undeclared tag in use."""
    declared = [(t["name"], t.get("description", "")) for t in openapi.get("tags") or []]
    seen = {name for name, _ in declared}
    for op in operations(openapi):
        if op.tag not in seen:
            declared.append((op.tag, ""))
            seen.add(op.tag)
    used = {op.tag for op in operations(openapi)}
    return [(name, desc) for name, desc in declared if name in used]


def resolve(openapi: dict[str, Any], node: Any) -> Any:
    """Follow a local ``$ref`` (one level at a time, until a non-reference)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and str(node["$ref"]).startswith("#/") and seen < 20:
        target: Any = openapi
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node = target
        seen += 1
    return node


def ref_target(ref: str) -> tuple[str, str]:
    """(schema stem, ``$defs`` name or "") of a reference to a schema file: ``schemas/x.schema.json#/$defs/y``."""
    file, _, fragment = ref.partition("#")
    stem = file.rsplit("/", 1)[-1].removesuffix(".schema.json").removesuffix(".json")
    name = fragment.rsplit("/", 1)[-1] if fragment.startswith("/$defs/") else ""
    return stem, name


def schema_ref(schema: Any, here: str) -> str:
    """A schema in a few words: a link to a named schema, or its type, enum or constant."""
    if not isinstance(schema, dict):
        return "—"
    ref = schema.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        stem, name = ref_target(ref)
        label = f"{stem}.{name}" if name else stem
        return f"[`{label}`]({rel(here, 'interface/schemas.md')}#{stem})"
    if schema.get("type") == "array" and "items" in schema:
        return f"{schema_ref(schema['items'], here)}[]"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " 或 or ".join(schema_ref(s, here) for s in schema[key])
    if "allOf" in schema:
        return " ＋ ".join(schema_ref(s, here) for s in schema["allOf"])
    if "enum" in schema:
        return ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if isinstance(kind, list):
        kind = " / ".join(map(str, kind))
    fmt = schema.get("format")
    text = f"`{kind}`" + (f" <small>{fmt}</small>" if fmt else "")
    if kind == "object" and schema.get("properties"):
        text += " <small>{" + ", ".join(schema["properties"]) + "}</small>"
    return text


PROBLEM_LIST = re.compile(r"Problem types?:\s*((?:`[a-z0-9-]+`[,\s]*(?:and\s+|or\s+)?)+)")


def problem_types(openapi: dict[str, Any], response: dict[str, Any]) -> list[str]:
    """The problem type kinds a response declares: in its description, its examples or its extension."""
    found: list[str] = []

    def add(value: Any) -> None:
        text = value.get("kind") or value.get("type") if isinstance(value, dict) else value
        kind = str(text).rstrip("/").rsplit("/", 1)[-1] if text else ""
        if kind and kind not in found:
            found.append(kind)

    for item in response.get("x-icss-problem-types") or []:
        add(item)
    match = PROBLEM_LIST.search(str(response.get("description", "")))
    if match:
        for kind in re.findall(r"`([a-z0-9-]+)`", match.group(1)):
            add(kind)
    for media, content in (response.get("content") or {}).items():
        if "problem" not in media:
            continue
        content = resolve(openapi, content)
        if isinstance(content.get("example"), dict):
            add(content["example"].get("type"))
        for example in (content.get("examples") or {}).values():
            value = resolve(openapi, example).get("value")
            if isinstance(value, dict):
                add(value.get("type"))
    return found


def roles(op: Operation) -> list[str]:
    found = op.spec.get("x-icss-roles")
    if found is None:
        found = op.path_item.get("x-icss-roles")
    if found is None and op.spec.get("security") == []:
        found = ["public"]
    return [str(r) for r in found or []]


# --------------------------------------------------------------------------------------------
# Indicator rendering (the area pages).
# --------------------------------------------------------------------------------------------


def level_badge(cat: Catalogue, level: int) -> str:
    info = next((lv for lv in cat.levels if lv.number == level), None)
    name = f" {info.title.zh} · {info.title.en}" if info else ""
    tip = f"{info.description.zh} / {info.description.en}" if info else ""
    return badge(f"level{level}", f"L{level}{name}", tip)


def indicator_badges(cat: Catalogue, ind: Indicator) -> str:
    parts = [
        level_badge(cat, ind.level),
        badge(ind.obligation, both(OBLIGATION[ind.obligation]), "义务强度 · obligation"),
        badge(ind.verification, both(VERIFICATION[ind.verification]), VERIFICATION_HELP[ind.verification]),
        badge("since", f"{ind.since} 版起 · since {ind.since}"),
    ]
    if not ind.active:
        parts.insert(0, badge("withdrawn", f"已废止 · withdrawn {ind.withdrawn_in or ''}".strip()))
    return '<p class="icss-badges">' + " ".join(parts) + "</p>"


def value_cell(param: Parameter | None, profile: Profile, name: str, compact: bool) -> str:
    pv = profile.parameters.get(name)
    if pv is None:
        return "<em>缺失 · missing</em>"
    unit = None if compact or param is None else param.unit
    value = show_value(pv.value, param.type if param else "", unit)
    inherited = f" <small>← {pv.defined_in}</small>" if pv.defined_in and pv.defined_in != profile.id else ""
    sep = " " if compact else "<br>"
    return f"{value}{sep}{basis_chip(pv, compact)}{inherited}"


def parameter_link(cat: Catalogue, name: str, here: str) -> str:
    param = cat.parameters.get(name)
    if param is None:
        return f"`{name}` (undefined)"
    unit = f" ({UNITS.get(param.unit, '')} {param.unit.replace('_', ' ')})" if param.unit else ""
    title = f"<br><small>{cell(param.title.zh)} · {cell(param.title.en)}{unit}</small>"
    return f"[`{name}`]({rel(here, 'profiles.md')}#{name}){title}"


def indicator_parameters(cat: Catalogue, names: tuple[str, ...], here: str) -> list[str]:
    """One row per profile, one column per parameter: an indicator has few parameters, so this fits."""
    lines = [
        "| 配置 · Profile | " + " | ".join(parameter_link(cat, n, here) for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for profile in cat.profiles.values():
        cells = [cell(value_cell(cat.parameters.get(n), profile, n, compact=False)) for n in names]
        lines.append(f"| **`{profile.id}`** <small>{cell(profile.title.zh)}</small> | " + " | ".join(cells) + " |")
    return lines


def comparison_table(cat: Catalogue, here: str) -> list[str]:
    """Every parameter (rows) in every profile (columns), with a one-character basis label."""
    profiles = list(cat.profiles.values())
    lines = [
        "| 参数 · Parameter | " + " | ".join(f"`{p.id}`<br><small>{cell(p.title.zh)}</small>" for p in profiles) + " |",
        "|---|" + "---|" * len(profiles),
    ]
    for name, param in cat.parameters.items():
        cells = [cell(value_cell(param, p, name, compact=True)) for p in profiles]
        lines.append(f"| {parameter_link(cat, name, here)} | " + " | ".join(cells) + " |")
    return lines


def reference_table(refs: tuple[Reference, ...]) -> list[str]:
    lines = [
        "| 来源 · Source | 条款 · Section | 辖区 · Jurisdiction | 核实 · Status |",
        "|---|---|---|---|",
    ]
    for ref in refs:
        jur = JURISDICTION.get(ref.jurisdiction, (ref.jurisdiction, ref.jurisdiction))
        status = REF_STATUS[ref.status]
        source = cell(ref.source) + (f"<br><small>{cell(prose(ref.note))}</small>" if ref.note else "")
        lines.append(
            f"| {source} | {cell(ref.section)} | {jur[0]} · {jur[1]} (`{ref.jurisdiction}`) | "
            f'<span class="icss-ref icss-ref--{ref.status}">{both(status)}</span> |'
        )
    return lines


def indent(lines: list[str], prefix: str = "    ") -> list[str]:
    return [prefix + line if line else "" for line in lines]


def render_indicator(src: Sources, ind: Indicator, op_pages: dict[str, str], here: str) -> list[str]:
    cat = src.catalogue
    toc = f"{ind.id} {ind.title.zh}"
    out = [
        f'## {ind.id} {prose(ind.title.zh)} · {prose(ind.title.en)} {{ #{ind.id} data-toc-label="{attr(toc)}" }}',
        "",
        indicator_badges(cat, ind),
        "",
    ]
    zh = [f"**要求**　{statement(ind.statement.zh, here, op_pages)}"]
    en = [f"**Requirement** — {statement(ind.statement.en, here, op_pages)}"]
    if ind.rationale:
        zh += ["", f"**理由**　{statement(ind.rationale.zh, here, op_pages)}"]
        en += ["", f"**Rationale** — {statement(ind.rationale.en, here, op_pages)}"]
    if ind.evidence:
        zh += ["", f"**审核证据**　{statement(ind.evidence.zh, here, op_pages)}"]
        en += ["", f"**Evidence for the auditor** — {statement(ind.evidence.en, here, op_pages)}"]
    out += ['=== "中文"', "", *indent(zh), "", '=== "English"', "", *indent(en), ""]
    if not ind.active:
        replaced = ", ".join(f"[{r}](#{r})" if r.startswith(ind.area) else r for r in ind.replaced_by)
        out += [
            f'!!! warning "已废止 · Withdrawn in {ind.withdrawn_in}"',
            "    本指标已废止，编号保留不再使用。This indicator is withdrawn; its id is kept and never reused."
            + (f" 替代指标 · Replaced by: {replaced}" if replaced else ""),
            "",
        ]

    if ind.parameters:
        out += ["**辖区参数 · Parameters by profile**", "", *indicator_parameters(cat, ind.parameters, here), ""]
    out += ["**法律与标准依据 · References**", "", *reference_table(ind.references), ""]

    if ind.operations:
        links = []
        for op_id in ind.operations:
            page = op_pages.get(op_id)
            links.append(f"[`{op_id}`]({rel(here, page)}#{op_id})" if page else f"`{op_id}` (not in openapi.yaml)")
        decided = ", ".join(links)
    else:
        decided = "无：依据文件审核 · none: decided on documents"
    regs = checks_of(src, ind)
    facts = [
        "| 判定接口 · Decided through | 检测项 · Harness checks |",
        "|---|---|",
        f"| {decided} | {check_summary(src, ind, regs, here)} |",
    ]
    out += [*facts, ""]
    if regs:
        out += [
            "**检测项 · Harness checks** <small>（说明取自检测项的文档字符串，英文 · "
            "from each check's docstring, in English）</small>",
            "",
        ]
        for reg in regs:
            out += render_check(src, reg, ind.id, here, op_pages)
    return out


def checks_of(src: Sources, ind: Indicator) -> list[RegisteredCheck]:
    """The registered checks that verify ``ind``, by name."""
    return [c for c in src.checks.values() if ind.id in c.indicators]


def check_anchor(name: str) -> str:
    """The anchor of a check on its indicator's page: ``cp.seven_day_call_cap`` -> ``check-cp-seven-day-call-cap``."""
    return "check-" + slug(name)


def check_summary(src: Sources, ind: Indicator, regs: list[RegisteredCheck], here: str) -> str:
    """The "harness checks" cell: links to the checks below, or why there are none."""
    names = [f"[`{c.name}`](#{check_anchor(c.name)})" for c in regs]
    # A name the spec lists but the harness does not register is shown, not hidden: `icss coverage` fixes it.
    names += [f"`{c}` <small>(未注册 · not registered)</small>" for c in ind.checks if c not in src.checks]
    audit = rel(here, "guides/audit.md")
    if ind.verification == "attested":
        return (
            f"依据审核员的证明判定 · decided from attestations<br><small>"
            f"`icss certify --attestations` 中有效的证明记为 `attested`，缺失或过期记为 `skipped` · "
            f"a valid attestation gives `attested`, a missing or expired one `skipped` "
            f"([审核员指南 · auditor's guide]({audit}#attestations))</small>"
        )
    if not names:
        return (
            '<span class="icss-none">尚无 · none yet</span><br>'
            "<small>测试工具的检测项仍在编写，`icss certify` 将本指标报告为 `skipped` · the harness check is "
            "still being written; `icss certify` reports this indicator as `skipped` (see `icss coverage`)</small>"
        )
    text = ", ".join(names)
    if ind.verification == "hybrid":
        text += (
            "<br><small>另需审核员对文件部分的证明 · the documentary half also needs an attestation "
            f"([审核员指南 · auditor's guide]({audit}#attestations))</small>"
        )
    return text


def docstring_markdown(src: Sources, doc: str, here: str, op_pages: dict[str, str]) -> list[str]:
    """A check's docstring as markdown paragraphs, with operations, parameters and indicators linked."""
    links = {**dict.fromkeys(src.catalogue.parameters, "profiles.md"), **op_pages}
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", inspect.cleandoc(doc)) if part.strip()]
    out: list[str] = []
    for para in paragraphs or ["<em>（无说明 · no docstring）</em>"]:
        out += [statement(para, here, links), ""]
    return out


def render_check(src: Sources, reg: RegisteredCheck, ind_id: str, here: str, op_pages: dict[str, str]) -> list[str]:
    chips = []
    if reg.needs_sandbox:
        chips.append(
            badge("sandbox", "需沙箱 · sandbox", "在一次性沙箱租户中运行 · runs in a throw-away sandbox tenant")
        )
    if reg.feature:
        chips.append(
            badge(
                "feature",
                f"功能 · feature `{reg.feature}`",
                "目标未声明该功能时记为 not-applicable · not-applicable when the target does not declare it",
            )
        )
    others = [i for i in reg.indicators if i != ind_id]
    also = ""
    if others:
        linked = ", ".join(f"[{i}]({rel(here, area_page(i[:2]))}#{i})" for i in others)
        also = f" <small>同时验证 · also verifies: {linked}</small>"
    return [
        f'<div class="icss-check" id="{check_anchor(reg.name)}" markdown>',
        "",
        f"`{reg.name}` {' '.join(chips)}{also}",
        "",
        *docstring_markdown(src, reg.doc, here, op_pages),
        "</div>",
        "",
    ]


def render_area(src: Sources, area_index: int) -> str:
    cat = src.catalogue
    area = cat.areas[area_index]
    here = area_page(area.id)
    op_pages = {op.id: tag_page(op.tag) for op in operations(src.openapi)}
    active = [i for i in area.indicators if i.active]
    levels = Counter(i.level for i in active)
    out = [
        "---",
        f"title: {json.dumps(f'{area.id} {area.title.zh} · {area.title.en}', ensure_ascii=False)}",
        "---",
        "",
        f"# {area.id} {prose(area.title.zh)} · {prose(area.title.en)}",
        "",
        '=== "中文"',
        "",
        f"    {prose(area.description.zh)}",
        "",
        f"    本领域共 {len(active)} 项现行指标：" + "，".join(f"{n} 级 {levels[n]} 项" for n in sorted(levels)) + "。",
        "",
        '=== "English"',
        "",
        f"    {prose(area.description.en)}",
        "",
        f"    {len(active)} indicators in force: "
        + ", ".join(f"{levels[n]} at level {n}" for n in sorted(levels))
        + ".",
        "",
        *summary_table(cat, area.indicators, here),
        "",
    ]
    for ind in area.indicators:
        out += render_indicator(src, ind, op_pages, here)
    return "\n".join(out) + "\n"


def summary_table(cat: Catalogue, indicators: tuple[Indicator, ...], here: str) -> list[str]:
    lines = [
        "| 编号 · Id | 标题 · Title | 级别 · Level | 义务 · Obligation | 验证方式 · Verification |",
        "|---|---|---|---|---|",
    ]
    for ind in indicators:
        link = f"[{ind.id}]({rel(here, area_page(ind.area))}#{ind.id})"
        status = "" if ind.active else " <small>(已废止 · withdrawn)</small>"
        lines.append(
            f"| {link} | {cell(prose(ind.title.zh))}<br><small>{cell(prose(ind.title.en))}</small>{status} | "
            f"{ind.level} | {both(OBLIGATION[ind.obligation])} | {both(VERIFICATION[ind.verification])} |"
        )
    return lines


def render_all_indicators(src: Sources) -> str:
    cat = src.catalogue
    here = "areas/index.md"
    out = [
        "# 指标总览 · All indicators",
        "",
        f"ICSS {cat.version} 共 {len(cat.active())} 项现行指标，分为 {len(cat.areas)} 个领域。"
        f"每项指标有永久编号（如 `CP-03`），可直接链接到 `areas/cp/#CP-03` 这样的地址。",
        "",
        f"ICSS {cat.version} holds {len(cat.active())} indicators in force across {len(cat.areas)} areas. "
        "Every indicator keeps its id forever and can be linked to directly, e.g. `areas/cp/#CP-03`.",
        "",
        *area_table(cat, here),
        "",
    ]
    for area in cat.areas:
        out += [
            f"## [{area.id} {prose(area.title.zh)} · {prose(area.title.en)}]({rel(here, area_page(area.id))})",
            "",
            *summary_table(cat, area.indicators, here),
            "",
        ]
    return "\n".join(out) + "\n"


def _mix(inds: list[Indicator]) -> tuple[str, str]:
    lv = Counter(i.level for i in inds)
    ver: Counter[str] = Counter(i.verification for i in inds)
    levels = " · ".join(f"L{n} **{lv[n]}**" for n in (1, 2, 3))
    methods = " · ".join(f"{VERIFICATION[v][0]} **{ver[v]}**" for v in VERIFICATION)
    return levels, methods


def area_table(cat: Catalogue, here: str) -> list[str]:
    lines = [
        "| 领域 · Area | 指标 · Indicators | 按级别 · By level | 按验证方式 · By verification |",
        "|---|--:|---|---|",
    ]
    for area in cat.areas:
        inds = [i for i in area.indicators if i.active]
        levels, methods = _mix(inds)
        lines.append(
            f"| [**{area.id}** {cell(area.title.zh)}]({rel(here, area_page(area.id))})<br>"
            f"<small>{cell(area.title.en)}</small> | {len(inds)} | {levels} | {methods} |"
        )
    act = list(cat.active())
    levels, methods = _mix(act)
    lines.append(f"| **合计 · Total** | **{len(act)}** | {levels} | {methods} |")
    return lines


# --------------------------------------------------------------------------------------------
# Profiles and parameters.
# --------------------------------------------------------------------------------------------


def profiles_overview(cat: Catalogue) -> list[str]:
    lines = [
        "| 配置 · Profile | 名称 · Name | 辖区 · Jurisdiction | 继承 · Extends | 节假日历 · Holidays "
        "| 依据构成 · Bases |",
        "|---|---|---|---|---|---|",
    ]
    for p in cat.profiles.values():
        jur = JURISDICTION.get(p.jurisdiction, (p.jurisdiction, p.jurisdiction))
        bases: Counter[str] = Counter(pv.basis for pv in p.parameters.values())
        mix = " ".join(
            f'<span class="icss-basis icss-basis--{b}" title="{attr(both(BASIS[b]))}">'
            f"{BASIS_SHORT[b][0]} {bases[b]}</span>"
            for b in BASIS
            if bases[b]
        )
        lines.append(
            f"| **`{p.id}`** | {cell(p.title.zh)}<br><small>{cell(p.title.en)}</small> | {jur[0]} · {jur[1]} | "
            f"{p.extends or '—'} | {p.public_holidays or '—'} | {mix} |"
        )
    return lines


def profile_descriptions(cat: Catalogue) -> list[str]:
    out: list[str] = []
    for p in cat.profiles.values():
        if not p.description:
            continue
        out += [
            f'??? abstract "`{p.id}` {cell(p.title.zh)} · {cell(p.title.en)}"',
            "",
            f"    {prose(p.description.zh)}",
            "",
            f"    {prose(p.description.en)}",
            "",
        ]
    return out


def parameter_sections(cat: Catalogue, here: str) -> list[str]:
    used_by: dict[str, list[Indicator]] = {name: [] for name in cat.parameters}
    for ind in cat.active():
        for name in ind.parameters:
            used_by.setdefault(name, []).append(ind)
    out: list[str] = []
    for name, param in cat.parameters.items():
        unit = f"，单位 unit: `{param.unit}`" if param.unit else ""
        users = ", ".join(f"[{i.id}]({rel(here, area_page(i.area))}#{i.id})" for i in used_by.get(name, []))
        out += [
            f'### `{name}` {{ #{name} data-toc-label="{name}" }}',
            "",
            f"**{prose(param.title.zh)} · {prose(param.title.en)}** — 类型 type: `{param.type}`{unit}。"
            f" 用于 · Used by: {users or '—'}",
            "",
            '=== "中文"',
            "",
            f"    {statement(param.description.zh, here)}",
            "",
            '=== "English"',
            "",
            f"    {statement(param.description.en, here)}",
            "",
            "| 配置 · Profile | 取值 · Value | 依据 · Basis | 出处 · Source |",
            "|---|---|---|---|",
        ]
        notes_zh: list[str] = []
        notes_en: list[str] = []
        for profile in cat.profiles.values():
            pv = profile.parameters.get(name)
            if pv is None:
                out.append(f"| `{profile.id}` | <em>缺失 · missing</em> | | |")
                continue
            origin = f" <small>(继承自 from `{pv.defined_in}`)</small>" if pv.defined_in != profile.id else ""
            source = cell(prose(ref_line(pv.source))) if pv.source else "—"
            value = show_value(pv.value, param.type, param.unit)
            out.append(f"| `{profile.id}`{origin} | {cell(value)} | {basis_chip(pv)} | {source} |")
            if pv.note:
                notes_zh.append(f"- **`{profile.id}`**：{prose(pv.note.zh)}")
                notes_en.append(f"- **`{profile.id}`**: {prose(pv.note.en)}")
        out.append("")
        if notes_zh:
            out += [
                '??? note "取值说明 · Notes on the values"',
                "",
                '    === "中文"',
                "",
                *indent(notes_zh, "        "),
                "",
                '    === "English"',
                "",
                *indent(notes_en, "        "),
                "",
            ]
    return out


# --------------------------------------------------------------------------------------------
# The service interface.
# --------------------------------------------------------------------------------------------


def indicators_by_operation(cat: Catalogue) -> dict[str, list[Indicator]]:
    found: dict[str, list[Indicator]] = {}
    for ind in cat.active():
        for op in ind.operations:
            found.setdefault(op, []).append(ind)
    return found


def problem_link(kind: str, here: str) -> str:
    return f"[`{kind}`]({rel(here, 'interface/index.md')}#problem-{kind})"


def render_operation(src: Sources, op: Operation, here: str, deciders: list[Indicator]) -> list[str]:
    oa = src.openapi
    spec = op.spec
    summary = str(spec.get("summary") or "")
    out = [
        f'## `{op.id}` {prose(summary)} {{ #{op.id} data-toc-label="{op.id}" }}',
        "",
        f'<p class="icss-endpoint"><span class="icss-method icss-method--{op.method}">{op.method.upper()}</span> '
        f"<code>{html.escape(op.path)}</code></p>",
        "",
    ]
    if spec.get("deprecated"):
        out += ['!!! warning "已弃用 · Deprecated"', ""]
    if spec.get("description"):
        out += [prose(str(spec["description"])), ""]
    role_list = roles(op)
    facts = [
        "- **角色 · Roles**: "
        + (", ".join(f"`{r}` {ROLES.get(r, '')}".strip() for r in role_list) or "未声明 · not declared")
    ]
    if spec.get("x-icss-debtor-scoped"):
        facts.append(
            "- **债务人范围 · Debtor-scoped**: 债务人令牌只能访问本人数据 · a debtor token reaches its own data only"
        )
    if spec.get("x-icss-feature"):
        facts.append(
            f"- **可选功能 · Optional feature**: `{spec['x-icss-feature']}` — 未声明该功能的服务返回 501 "
            "· services without it answer 501 not-implemented"
        )
    if spec.get("x-icss-websocket"):
        facts.append("- **WebSocket**: 该操作升级为 WebSocket 连接 · this operation upgrades to a WebSocket")
    params = [resolve(oa, p) for p in (op.path_item.get("parameters") or []) + (spec.get("parameters") or [])]
    if params:
        rendered = []
        for p in params:
            req = "" if p.get("required") else "?"
            rendered.append(f"`{p.get('name')}{req}` <small>{p.get('in')}</small> {schema_ref(p.get('schema'), here)}")
        facts.append("- **参数 · Parameters**: " + "; ".join(rendered))
    body = resolve(oa, spec.get("requestBody"))
    if isinstance(body, dict) and body.get("content"):
        parts = [
            f"{schema_ref(content.get('schema'), here)} <small>{media}</small>"
            for media, content in body["content"].items()
        ]
        req = "" if body.get("required") else " <small>(可选 · optional)</small>"
        facts.append("- **请求体 · Request body**: " + " 或 or ".join(parts) + req)
    if deciders:
        links = ", ".join(f"[{i.id}]({rel(here, area_page(i.area))}#{i.id})" for i in deciders)
        facts.append(f"- **判定的指标 · Decides**: {links}")
    out += [*facts, ""]
    out += [
        "| 状态 · Status | 说明 · Description | 响应体 · Body | 问题类型 · Problem types |",
        "|---|---|---|---|",
    ]
    for status, response in (spec.get("responses") or {}).items():
        resp = resolve(oa, response)
        bodies = [
            f"{schema_ref(c.get('schema'), here)} <small>{m}</small>" for m, c in (resp.get("content") or {}).items()
        ]
        problems = problem_types(oa, resp)
        description = re.sub(r"\.(\s*\.)+$", ".", PROBLEM_LIST.sub("", str(resp.get("description", ""))).strip())
        out.append(
            f"| `{status}` | {cell(prose(description))} | {'<br>'.join(cell(b) for b in bodies) or '—'} "
            f"| {', '.join(problem_link(k, here) for k in problems) or '—'} |"
        )
    out.append("")
    return out


def render_tag(src: Sources, tag: str, description: str) -> str:
    here = tag_page(tag)
    deciders = indicators_by_operation(src.catalogue)
    ops = [op for op in operations(src.openapi) if op.tag == tag]
    out = [
        "---",
        f"title: {json.dumps(tag_title(tag), ensure_ascii=False)}",
        "---",
        "",
        f"# {prose(tag_title(tag))}",
        "",
    ]
    if description:
        out += [prose(description), ""]
    out += ["| 操作 · Operation | 方法与路径 · Method and path | 角色 · Roles |", "|---|---|---|"]
    for op in ops:
        out.append(
            f"| [`{op.id}`](#{op.id})<br><small>{cell(prose(str(op.spec.get('summary', ''))))}</small> "
            f"| `{op.method.upper()} {cell(op.path)}` | {cell(', '.join(roles(op)) or '—')} |"
        )
    out.append("")
    for op in ops:
        out += render_operation(src, op, here, deciders.get(op.id, []))
    return "\n".join(out) + "\n"


TAG_ZH = {
    "auth": "认证",
    "sandbox": "沙箱",
    "parties": "债务人与债务",
    "events": "事件",
    "contact": "联系",
    "scripts": "话术检测",
    "self-service": "债务人自助",
    "complaints": "投诉处理",
    "evidence": "证据日志",
    "intelligence": "智能服务",
    "interop": "互操作",
    "operations": "运营",
}


def tag_title(tag: str) -> str:
    return f"{tag} · {TAG_ZH[tag]}" if tag in TAG_ZH else tag


def schema_refs(node: Any) -> set[str]:
    """Stems of every schema file referenced anywhere under ``node``."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            found.add(ref_target(ref)[0])
        for value in node.values():
            found |= schema_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= schema_refs(value)
    return found


def interface_schemas(src: Sources) -> dict[str, dict[str, Any]]:
    """The schema files the interface uses, directly or through other schemas, by stem."""
    docs = {p.name.removesuffix(".schema.json"): p for p in src.schema_files}
    todo = sorted(schema_refs(src.openapi))
    seen: dict[str, dict[str, Any]] = {}
    while todo:
        stem = todo.pop()
        if stem in seen or stem not in docs:
            continue
        seen[stem] = json.loads(docs[stem].read_text(encoding="utf-8"))
        todo.extend(sorted(schema_refs(seen[stem]) - set(seen)))
    return dict(sorted(seen.items()))


def field_table(schema: dict[str, Any], here: str) -> list[str]:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    lines = ["| 字段 · Field | 类型 · Type | 必填 · Required | 说明 · Description |", "|---|---|:-:|---|"]
    for prop, pschema in props.items():
        pschema = pschema if isinstance(pschema, dict) else {}
        pii = ' <span class="icss-pii">PII</span>' if pschema.get("x-icss-pii") else ""
        lines.append(
            f"| `{prop}`{pii} | {cell(schema_ref(pschema, here))} | {'✓' if prop in required else ''} "
            f"| {cell(prose(str(pschema.get('description', ''))))} |"
        )
    return lines


def render_schemas(src: Sources) -> str:
    here = "interface/schemas.md"
    out = [
        "# 数据结构 · Schemas",
        "",
        "接口请求与响应的数据结构（JSON Schema 2020-12），由 `spec/schemas/` 中被 `openapi.yaml` 引用的文件生成；"
        '每个结构都可下载原文件。标记 <span class="icss-pii">PII</span> 的字段为个人信息，'
        "对不需要它的角色应作掩码处理。",
        "",
        "The request and response structures of the interface (JSON Schema 2020-12), generated from the files of "
        "spec/schemas/ that openapi.yaml references; each can be downloaded as the normative file. Fields marked "
        '<span class="icss-pii">PII</span> hold personal data and are masked for roles that do not need them.',
        "",
    ]
    for stem, schema in interface_schemas(src).items():
        title = str(schema.get("title", ""))
        out += [f'## `{stem}` {prose(title)} {{ #{stem} data-toc-label="{stem}" }}', ""]
        if schema.get("description"):
            out += [prose(str(schema["description"])), ""]
        out += [f"[`{stem}.schema.json`]({rel(here, f'schemas/{stem}.schema.json')})", ""]
        if schema.get("properties"):
            out += [*field_table(schema, here), ""]
        elif any(k in schema for k in ("oneOf", "anyOf", "allOf", "enum", "type", "$ref")):
            out += [f"类型 · Type: {schema_ref(schema, here)}", ""]
        defs = schema.get("$defs") or {}
        if defs:
            out += ["| 定义 · Definition | 类型 · Type | 说明 · Description |", "|---|---|---|"]
            for name, dschema in defs.items():
                dschema = dschema if isinstance(dschema, dict) else {}
                kind = schema_ref(dschema, here)
                out.append(f"| `{name}` | {cell(kind)} | {cell(prose(str(dschema.get('description', ''))))} |")
            out.append("")
    return "\n".join(out) + "\n"


def interface_overview(src: Sources) -> list[str]:
    here = "interface/index.md"
    oa = src.openapi
    info = oa.get("info") or {}
    servers = ", ".join(f"`{s.get('url')}`" for s in oa.get("servers") or []) or "—"
    ops = operations(oa)
    lines = [
        f"OpenAPI `{oa.get('openapi', '?')}` · 接口版本 API version `{info.get('version', '?')}` · "
        f"基础路径 base path {servers} · {len(ops)} 个操作 operations · "
        f"[下载 openapi.yaml · download]({rel(here, 'openapi.yaml')})",
        "",
        "| 分组 · Tag | 说明 · Description | 操作 · Operations |",
        "|---|---|--:|",
    ]
    for tag, description in tags(oa):
        count = sum(op.tag == tag for op in ops)
        lines.append(f"| [{tag_title(tag)}]({rel(here, tag_page(tag))}) | {cell(prose(description))} | {count} |")
    return lines


def problem_table(src: Sources) -> list[str]:
    """The document-level ``x-icss-problem-types`` list: every RFC 9457 problem type the interface uses."""
    kinds = src.openapi.get("x-icss-problem-types") or []
    if not kinds:
        return ["`openapi.yaml` 未列出问题类型 · openapi.yaml lists no problem types (`x-icss-problem-types`)."]
    lines = ["| 类型 · Kind | 状态 · Status | 说明 · Description |", "|---|---|---|"]
    for item in kinds:
        kind = item.get("kind") or str(item.get("type", "")).rsplit("/", 1)[-1]
        lines.append(
            f'| <span id="problem-{kind}"></span>`{kind}`<br><small>{cell(item.get("type", ""))}</small> '
            f"| `{item.get('status', '')}` | {cell(prose(str(item.get('description', ''))))} |"
        )
    return lines


def role_matrix(src: Sources) -> list[str]:
    """Operations × roles, a compact view of who may call what."""
    here = "interface/index.md"
    ops = operations(src.openapi)
    all_roles = [r for r in ROLES if any(r in roles(op) for op in ops)]
    all_roles += sorted({r for op in ops for r in roles(op)} - set(all_roles))
    lines = [
        "| 操作 · Operation | " + " | ".join(f"{r}<br><small>{ROLES.get(r, '')}</small>" for r in all_roles) + " |",
        "|---|" + ":-:|" * len(all_roles),
    ]
    for op in ops:
        granted = set(roles(op))
        lines.append(
            f"| [`{op.id}`]({rel(here, tag_page(op.tag))}#{op.id}) | "
            + " | ".join("●" if r in granted else "" for r in all_roles)
            + " |"
        )
    return lines


# --------------------------------------------------------------------------------------------
# Overview, levels, report and changelog blocks.
# --------------------------------------------------------------------------------------------


def levels_block(cat: Catalogue) -> list[str]:
    counts = Counter(i.level for i in cat.active())
    lines = ["| 级别 · Level | 名称 · Name | 含义 · Meaning | 本级指标 · At this level |", "|---|---|---|--:|"]
    for lv in cat.levels:
        lines.append(
            f"| **{lv.number}** | {cell(lv.title.zh)}<br>{cell(lv.title.en)} | "
            f"{cell(prose(lv.description.zh))}<br><small>{cell(prose(lv.description.en))}</small> "
            f"| {counts[lv.number]} |"
        )
    return [
        *lines,
        "",
        "申请某一级别认证时，该级别及以下各级的全部现行指标都在评价范围内。"
        "A claim of a level is judged on every indicator in force at that level and below.",
    ]


def version_block(cat: Catalogue) -> list[str]:
    return [
        f'<p class="icss-version">{prose(cat.title.en)} — <strong>ICSS {cat.version}</strong> · '
        f'规范摘要 spec digest <code title="{cat.digest}">{cat.digest[:23]}…</code></p>'
    ]


def stats_block(cat: Catalogue) -> list[str]:
    act = cat.active()
    probed = sum(i.probed for i in act)
    must = sum(i.obligation == "must" for i in act)
    share = f"{probed / len(act):.0%}" if act else "—"
    return [
        f"- **{len(act)}** 项现行指标 · indicators in force, 其中 of which **{must}** 项为“应” MUST, "
        f"{len(act) - must} 项为“宜” SHOULD",
        f"- **{probed}** 项（{share}）可由测试工具通过接口判定 · decidable by the harness through the interface",
        f"- **{len(cat.profiles)}** 个辖区配置 · jurisdiction profiles: "
        + ", ".join(f"`{p.id}` {p.title.zh}" for p in cat.profiles.values()),
        f"- **{len(cat.parameters)}** 个辖区参数 · profile parameters",
    ]


def scope_block(cat: Catalogue) -> list[str]:
    """For every profile and level: how many indicators a claim is judged on, by verification method."""
    lines = [
        "| 配置 · Profile | 级别 · Level | 评价指标 · In scope | 自动 · automated | 混合 · hybrid | 文件 · attested |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for p in cat.profiles.values():
        for lv in cat.levels:
            scope = cat.in_scope(p.id, lv.number)
            ver = Counter(i.verification for i in scope)
            lines.append(
                f"| `{p.id}` | {lv.number} | {len(scope)} | {ver['automated']} | {ver['hybrid']} | {ver['attested']} |"
            )
    return lines


def report_type(prop: dict[str, Any]) -> str:
    """A property of the report schema in a few words; ``$defs`` references link to their table below.

    No pipes, so the text goes into a table cell as it is (a pattern's pipes sit inside a code span).
    """
    ref = prop.get("$ref")
    if isinstance(ref, str):
        stem, name = ref_target(ref) if not ref.startswith("#") else ("report", ref.rsplit("/", 1)[-1])
        if stem == "report":
            return f"[`{name}`](#report-{slug(name)})"
        return f"`{stem}.{name}`" if name else f"`{stem}`"
    kind = prop.get("type")
    if kind == "array":
        return report_type(prop.get("items") or {}) + "[]"
    if isinstance(kind, list):
        return " / ".join(f"`{k}`" for k in kind)
    if "enum" in prop:
        return ", ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    text = f"`{kind}`" if kind else "any"
    if prop.get("format"):
        text += f" <small>{prop['format']}</small>"
    if prop.get("pattern"):
        text += f" <small>`{prop['pattern']}`</small>"
    return text


def report_rows(schema: dict[str, Any], prefix: str = "") -> list[str]:
    """One row per property, nested objects flattened as ``level.claimed``."""
    required = set(schema.get("required") or [])
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        nested = prop.get("type") == "object" and prop.get("properties")
        kind = "`object`" if nested else report_type(prop)
        rows.append(
            f"| `{prefix}{name}` | {kind} | {'✓' if name in required else ''} "
            f"| {cell(prose(str(prop.get('description', ''))))} |"
        )
        if nested:
            rows += report_rows(prop, f"{prefix}{name}.")
    return rows


REPORT_HEADER = ["| 字段 · Field | 类型 · Type | 必填 · Required | 说明 · Description |", "|---|---|:-:|---|"]


def report_schema_block(src: Sources, here: str) -> list[str]:
    """Every field of ``report.schema.json``, top level and nested, then each of its definitions."""
    path = src.spec / "schemas" / "report.schema.json"
    if not path.is_file():
        return [
            '!!! info "即将随测试工具发布 · Forthcoming with the harness"',
            "",
            "    报告格式的 JSON Schema（`spec/schemas/report.schema.json`）将与测试工具一同发布。"
            "在此之前，本页描述的是设计目标，而不是已经可以校验的格式。",
            "",
            "    The report format's JSON Schema (`spec/schemas/report.schema.json`) is published together "
            "with the harness. Until then this page describes the design, not a format you can validate against.",
        ]
    schema = json.loads(path.read_text(encoding="utf-8"))
    link = f"[`report.schema.json`]({rel(here, 'schemas/report.schema.json')})"
    draft = schema.get("$schema", "").rsplit("/", 2)[-2] if schema.get("$schema") else ""
    lines = [
        f"报告须符合 {link}（JSON Schema {draft}）。A report validates against {link}.",
        "",
        f"> {prose(str(schema.get('description', '')))}",
        "",
        *REPORT_HEADER,
        *report_rows(schema),
        "",
    ]
    for name, definition in (schema.get("$defs") or {}).items():
        definition = definition if isinstance(definition, dict) else {}
        lines += [f'### `{name}` {{ #report-{slug(name)} data-toc-label="{name}" }}', ""]
        if definition.get("description"):
            lines += [prose(str(definition["description"])), ""]
        if definition.get("properties"):
            lines += [*REPORT_HEADER, *report_rows(definition), ""]
        else:
            lines += [f"类型 · Type: {report_type(definition)}", ""]
    return lines


def schema_list(src: Sources, here: str) -> list[str]:
    lines = ["| 文件 · File | 说明 · Title |", "|---|---|"]
    for path in src.schema_files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        lines.append(f"| [`{path.name}`]({rel(here, 'schemas/' + path.name)}) | {cell(prose(doc.get('title', '')))} |")
    return lines


#: The public corpora of spec/corpora/, each shown on a page of its own: its README, as the spec ships it.
CORPORA = {"scripts": "话术语料库 · Script corpus", "interface": "接口探测用例 · Interface probe cases"}


def render_corpus(src: Sources, name: str, title: str) -> str:
    """spec/corpora/<name>/README.md as a page: links into the repository are kept as text (they cannot
    resolve on the site), the first heading becomes the page's title."""
    readme = src.spec / "corpora" / name / "README.md"
    if not readme.is_file():
        raise PluginError(f"icss docs: {readme} is missing; the corpora pages are made from it")
    text = re.sub(r"\[([^\]]+)\]\((?!https?://|#)[^)]+\)", r"\1", readme.read_text(encoding="utf-8"))
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    source = f"`spec/corpora/{name}/README.md`"
    return (
        f"---\ntitle: {title}\n---\n\n# {title}\n\n"
        f"*本页即规范随附的 {source}。· This page is {source} as the standard ships it.*\n{body}"
    )


def changelog_block(src: Sources, here: str) -> list[str]:
    # Demote nothing: the changelog brings its own headings. Links into the repository cannot
    # resolve on the site, so they are kept as text.
    text = re.sub(r"\[([^\]]+)\]\((?!https?://|#)[^)]+\)", r"\1", src.changelog)
    return text.splitlines()


# --------------------------------------------------------------------------------------------
# The harness: the sample report, coverage, the command line and the pytest plugin.
# --------------------------------------------------------------------------------------------

# The labels of report.html, so that the page and the downloadable report use the same words.
OUTCOMES = {
    "pass": ("通过", "pass", "被测服务符合该指标 · the target conforms"),
    "fail": ("不通过", "fail", "被测服务不符合 · the target does not conform"),
    "error": ("出错", "error", "被测服务或测试工具出错，未能判定 · the target or the harness broke; no verdict"),
    "skipped": (
        "未判定",
        "skipped",
        "未能判定：缺少检测项、证明或沙箱 · not decided: no check, attestation or sandbox",
    ),
    "not-applicable": (
        "不适用",
        "not-applicable",
        "超出所申请的级别，或目标未声明该功能 · above the claimed level, or a feature the target does not declare",
    ),
    "attested": ("已证明", "attested", "审核员接受了文件证据 · an auditor accepted documentary evidence"),
}


def outcome_chip(outcome: str) -> str:
    zh, en, tip = OUTCOMES.get(outcome, (outcome, outcome, ""))
    return f'<span class="icss-outcome icss-outcome--{outcome}" title="{attr(tip)}">{zh} · {en}</span>'


def outcome_table(src: Sources) -> list[str]:
    lines = ["| 结果 · Outcome | 含义 · Meaning |", "|---|---|"]
    for key, (_zh, _en, tip) in OUTCOMES.items():
        lines.append(f"| {outcome_chip(key)} | {cell(tip)} |")
    return lines


def shorten(text: str, limit: int = 320) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sample_meta(src: Sources, here: str) -> list[str]:
    doc = src.sample
    target = doc["target"]
    service = target.get("service") or {}
    who = f"`{target['url']}`"
    if target.get("embedded"):
        who += " <small>（测试工具启动的内置参考实现 · the embedded reference, started by the harness）</small>"
    if service:
        who += f"<br>{service.get('service', '?')} {service.get('service_version', '')}".rstrip()
    level = doc["level"]
    verdict = (
        '<span class="icss-verdict icss-verdict--yes">已认证 · CERTIFIED</span>'
        if doc["certified"]
        else '<span class="icss-verdict icss-verdict--no">未认证 · NOT CERTIFIED</span>'
    )
    achieved = level["achieved"] or "无 · none"
    timings = doc["timings"]
    digest = doc["spec"]["digest"]
    rows = [
        ("结论 · Verdict", f"{verdict} — 申请 claimed **L{level['claimed']}**，达到 achieved **{achieved}**"),
        ("被测服务 · Target", who),
        ("辖区配置 · Profile", f"[`{doc['profile']}`]({rel(here, 'profiles.md')}#profiles)"),
        ("规范 · Spec", f'ICSS {doc["spec"]["version"]} · <code title="{digest}">{digest[:23]}…</code>'),
        ("测试工具 · Harness", f"{doc['harness']['name']} {doc['harness']['version']}"),
        ("运行 · Run", f"`{doc['run']['id']}` · {doc['run']['started_at']} → {doc['run']['finished_at']}"),
        (
            "用时 · Time",
            f"{timings['total_seconds']} s · {timings.get('requests', '?')} 个请求 requests · "
            f"{doc['run'].get('workers', '?')} 个并行 workers",
        ),
    ]
    return ["| | |", "|---|---|", *(f"| {k} | {cell(v)} |" for k, v in rows)]


def sample_downloads(src: Sources, here: str) -> list[str]:
    what = {
        "report.html": "中英双语、可直接阅读的报告 · the bilingual report for people",
        "report.json": "机器可读的报告，符合 report.schema.json · the machine-readable report",
        "junit.xml": "每项指标一个用例，供持续集成使用 · one test case per indicator, for CI",
        "manifest.json": "各文件的 SHA-256、规范摘要、签名公钥 · digests of the files, spec digest, public key",
        "manifest.sig": "对 manifest.json 的 Ed25519 签名 · the Ed25519 signature over manifest.json",
    }
    lines = ["| 文件 · File | 内容 · Holds | 大小 · Size |", "|---|---|--:|"]
    for name in SAMPLE_FILES:
        size = (src.sample_dir / name).stat().st_size
        lines.append(f"| [`{name}`]({rel(here, f'{SAMPLE_DIR}/{name}')}) | {what[name]} | {size:,} B |")
    return lines


def sample_summary(src: Sources, here: str) -> list[str]:
    """Counts by outcome, total and per area, like the summary `icss certify` prints."""
    doc = src.sample
    keys = list(OUTCOMES)
    lines = [
        "| 领域 · Area | " + " | ".join(outcome_chip(k) for k in keys) + " |",
        "|---|" + "--:|" * len(keys),
    ]
    titles = {a.id: a for a in src.catalogue.areas}
    areas = list(dict.fromkeys(i["area"] for i in doc["indicators"]))
    for area in areas:
        mine = [i for i in doc["indicators"] if i["area"] == area]
        counts = Counter(i["outcome"] for i in mine)
        name = f"{area} {titles[area].title.zh}" if area in titles else area
        lines.append(
            f"| [{cell(name)}](#sample-{area.lower()}) | " + " | ".join(str(counts[k] or "·") for k in keys) + " |"
        )
    total = doc["summary"]
    lines.append("| **合计 · Total** | " + " | ".join(f"**{total[k]}**" for k in keys) + " |")
    return lines


def sample_results(src: Sources, here: str) -> list[str]:
    """One table per area: every indicator up to the claimed level; those above it listed after."""
    doc = src.sample
    claimed = doc["level"]["claimed"]
    titles = {a.id: a for a in src.catalogue.areas}
    known = {i.id for i in src.catalogue.indicators}
    out: list[str] = []
    for area in dict.fromkeys(i["area"] for i in doc["indicators"]):
        mine = [i for i in doc["indicators"] if i["area"] == area]
        info = titles.get(area)
        heading = f"{area} {prose(info.title.zh)} · {prose(info.title.en)}" if info else area
        out += [f'### {heading} {{ #sample-{area.lower()} data-toc-label="{area}" }}', ""]
        inside = [i for i in mine if i["level"] <= claimed]
        above = [i for i in mine if i["level"] > claimed]
        if inside:
            out += [
                "| 编号 · Id | 指标 · Indicator | 结果 · Outcome | 检测项 · Checks | 说明 · Message |",
                "|---|---|---|---|---|",
            ]
        for ind in inside:
            link = (
                f"[{ind['id']}]({rel(here, area_page(ind['area']))}#{ind['id']})" if ind["id"] in known else ind["id"]
            )
            facts = f"L{ind['level']} · {ind['obligation']} · {ind['verification']}"
            title = f"{cell(prose(ind['title']['zh']))}<br><small>{cell(prose(ind['title']['en']))} · {facts}</small>"
            checks = (
                "<br>".join(
                    f"`{c['name']}` {outcome_chip(c['outcome'])}"
                    + (f" <small>{c['severity']}</small>" if c.get("severity") else "")
                    for c in ind["checks"]
                )
                or "—"
            )
            message = cell(prose(shorten(ind.get("message", "")))) or "—"
            if ind.get("attestation"):
                a = ind["attestation"]
                who = f"{cell(prose(a['evidence']))} — {cell(prose(a['reviewer']))}"
                message += f"<br><small>{who}, {a['date']} → {a['expires']}</small>"
            out.append(f"| {link} | {title} | {outcome_chip(ind['outcome'])} | {checks} | {message} |")
        if above:
            ids = ", ".join(
                f"[{i['id']}]({rel(here, area_page(i['area']))}#{i['id']})" if i["id"] in known else i["id"]
                for i in above
            )
            out += [
                "",
                f"高于申请级别（`not-applicable`）· Above the claimed level (`not-applicable`): {ids}",
            ]
        out.append("")
    return out


def sample_notes(src: Sources, here: str) -> list[str]:
    """An honest header: a stale sample says so, and the verdict is explained."""
    doc = src.sample
    out: list[str] = []
    if doc["spec"]["digest"] != src.catalogue.digest:
        out += [
            '!!! warning "示例已过时 · The sample is stale"',
            "",
            f"    本示例生成时的规范摘要与当前规范不同，请用 `{SAMPLE_COMMAND}` 重新生成。"
            f"The sample was produced against spec digest `{doc['spec']['digest'][:23]}…`, not the current "
            f"`{src.catalogue.digest[:23]}…`; regenerate it with `{SAMPLE_COMMAND}`.",
            "",
        ]
    undecided = [
        i["id"] for i in doc["indicators"] if i["outcome"] in ("fail", "error", "skipped") and i["obligation"] == "must"
    ]
    if not doc["certified"] and undecided:
        out += [
            '!!! note "为什么未认证 · Why the claim is not achieved"',
            "",
            f"    下列“应”类指标未通过或未能判定：{', '.join(undecided)}。未判定的原因见下表的说明栏："
            "尚无检测项的指标（见 `icss coverage`）和需要审核员证明的指标，在没有证明文件时都记为 `skipped`，"
            "而认证要求每项“应”类指标都通过或已证明。",
            "",
            f"    These MUST indicators failed or were not decided: {', '.join(undecided)}. The message column "
            "says why: an indicator without a harness check yet (see `icss coverage`), or one that needs an "
            "auditor's attestation when no attestations file is given, is `skipped` — and certification needs "
            "every in-scope MUST indicator passed or attested.",
            "",
        ]
    return out


def coverage_block(src: Sources, here: str) -> list[str]:
    """How many probed indicators have a check, and which do not yet — what `icss coverage` prints."""
    probed = [i for i in src.catalogue.active() if i.verification != "attested"]
    covered = {i for c in src.checks.values() for i in c.indicators}
    missing = [i for i in probed if i.id not in covered]
    lines = [
        f"**{len(probed) - len(missing)}** / {len(probed)} 项自动或混合验证的指标已有检测项；"
        f"测试工具共有 **{len(src.checks)}** 个检测项。"
        f" {len(probed) - len(missing)} of {len(probed)} automated or hybrid indicators have a harness check; "
        f"the harness has {len(src.checks)} checks.",
        "",
    ]
    if missing:
        by_area: dict[str, list[Indicator]] = {}
        for ind in missing:
            by_area.setdefault(ind.area, []).append(ind)
        lines += ["| 领域 · Area | 尚无检测项 · No check yet |", "|---|---|"]
        for area, inds in by_area.items():
            ids = ", ".join(f"[{i.id}]({rel(here, area_page(i.area))}#{i.id}) <small>L{i.level}</small>" for i in inds)
            lines.append(f"| {area} | {ids} |")
    return lines


# -- the command line, introspected from the typer application --------------------------------


@dataclass(frozen=True)
class CliCommand:
    path: str  # "icss report verify"
    help: str  # the command's docstring / help text
    usage_help: str  # what `--help` prints (plain, no rich markup)
    params: tuple[tuple[str, str, str], ...]  # (kind, names, help)
    group: bool


def cli_commands() -> list[CliCommand]:
    """Every command of ``icss``, depth first in the order ``icss --help`` lists them."""
    import typer

    from icss.conformance.cli import app

    root = typer.main.get_command(app)
    found: list[CliCommand] = []

    def visit(cmd: Any, ctx: Any) -> None:
        # Plain click help instead of typer's rich panels (which print to the terminal themselves).
        mode = getattr(cmd, "rich_markup_mode", None)
        if hasattr(cmd, "rich_markup_mode"):
            cmd.rich_markup_mode = None
        try:
            text = cmd.get_help(ctx)
        finally:
            if hasattr(cmd, "rich_markup_mode"):
                cmd.rich_markup_mode = mode
        params = []
        for param in cmd.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or record[0].startswith(("--help", "--install-completion", "--show-completion")):
                continue
            params.append((param.param_type_name, record[0], record[1]))
        group = hasattr(cmd, "list_commands")
        found.append(CliCommand(ctx.command_path, inspect.cleandoc(cmd.help or ""), text, tuple(params), group))
        if group:
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not getattr(sub, "hidden", False):
                    visit(sub, sub.context_class(sub, info_name=name, parent=ctx, max_content_width=100))

    visit(root, root.context_class(root, info_name="icss", max_content_width=100, terminal_width=100))
    return found


def cli_anchor(path: str) -> str:
    return slug(path)


def cli_reference(here: str) -> list[str]:
    commands = cli_commands()
    out = [
        "| 命令 · Command | 说明 · What it does |",
        "|---|---|",
        *(
            f"| [`{c.path}`](#{cli_anchor(c.path)}) | {cell(prose(c.help.splitlines()[0] if c.help else ''))} |"
            for c in commands[1:]
            if not c.group
        ),
        "",
    ]
    for c in commands[1:]:
        level = "##" if c.path.count(" ") == 1 else "###"
        out += [f'{level} `{c.path}` {{ #{cli_anchor(c.path)} data-toc-label="{c.path}" }}', ""]
        if c.help:
            out += [prose(" ".join(c.help.split())), ""]
        if c.params:
            out += ["| 参数 · Parameter | 说明 · Help |", "|---|---|"]
            for kind, names, text in c.params:
                label = "参数 · argument" if kind == "argument" else ""
                out.append(
                    f"| `{cell(names)}` {('<small>' + label + '</small>') if label else ''} | {cell(prose(text))} |"
                )
            out.append("")
        out += [
            f'??? example "`{c.path} --help`"',
            "",
            "    ```text",
            *indent(c.usage_help.splitlines()),
            "    ```",
            "",
        ]
    return out


def evidence_cli_block(here: str) -> list[str]:
    """The `icss evidence` commands if this version has them, else an honest note."""
    found = [c for c in cli_commands() if c.path.startswith("icss evidence ")]
    if not found:
        return [
            '!!! note "离线核验回执的命令尚未发布 · Offline receipt verification is not in this version"',
            "",
            "    本版本的 `icss` 还没有 `icss evidence` 命令；在此之前，检测项 EV-07 在认证运行中离线核验回执。"
            "This version of `icss` has no `icss evidence` commands yet; until it does, the harness check "
            "of EV-07 verifies receipts offline during a certification run.",
        ]
    lines = ["| 命令 · Command | 说明 · What it does |", "|---|---|"]
    for c in found:
        link = f"[`{c.path}`]({rel(here, 'cli.md')}#{cli_anchor(c.path)})"
        lines.append(f"| {link} | {cell(prose(c.help.splitlines()[0] if c.help else ''))} |")
    return lines


def pytest_options() -> list[tuple[str, str]]:
    """(option, help) of the pytest plugin, read from its own ``pytest_addoption``."""
    from icss.conformance import pytest_plugin

    found: list[tuple[str, str]] = []

    class Group:
        def addoption(self, *names: str, **kwargs: Any) -> None:
            found.append((", ".join(names), str(kwargs.get("help", ""))))

    class Parser:
        def getgroup(self, *args: Any, **kwargs: Any) -> Group:
            return Group()

        def addini(self, *args: Any, **kwargs: Any) -> None:
            pass

    pytest_plugin.pytest_addoption(Parser())  # type: ignore[arg-type]
    return found


def pytest_options_block() -> list[str]:
    lines = ["| 选项 · Option | 说明 · Help |", "|---|---|"]
    lines += [f"| `{cell(name)}` | {cell(prose(text))} |" for name, text in pytest_options()]
    return lines


CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u201c\u201d"
_CJK_BREAK = re.compile(rf"(?<=[{CJK}])\n[ \t]*(?=[{CJK}])")


def join_cjk_lines(markdown: str) -> str:
    """Join soft line breaks between two Chinese characters outside code blocks.

    Markdown turns a soft line break into a space, which is right between English words and wrong
    between Chinese characters ("要求， 写成"). Hand-written pages wrap long Chinese lines for
    readable diffs; this keeps them free of stray spaces when rendered.
    """
    parts = re.split(r"(^[ \t]*(?:```|~~~)[^\n]*\n.*?^[ \t]*(?:```|~~~)[ \t]*$)", markdown, flags=re.M | re.S)
    return "".join(part if i % 2 else _CJK_BREAK.sub("", part) for i, part in enumerate(parts))


def marker_blocks(src: Sources, here: str) -> dict[str, Any]:
    cat = src.catalogue
    return {
        "version": lambda: version_block(cat),
        "levels": lambda: levels_block(cat),
        "stats": lambda: stats_block(cat),
        "areas": lambda: area_table(cat, here),
        "profiles-overview": lambda: profiles_overview(cat),
        "profiles-descriptions": lambda: profile_descriptions(cat),
        "profiles-table": lambda: comparison_table(cat, here),
        "parameters": lambda: parameter_sections(cat, here),
        "interface-overview": lambda: interface_overview(src),
        "problem-types": lambda: problem_table(src),
        "role-matrix": lambda: role_matrix(src),
        "scope": lambda: scope_block(cat),
        "report-schema": lambda: report_schema_block(src, here),
        "outcomes": lambda: outcome_table(src),
        "sample-notes": lambda: sample_notes(src, here),
        "sample-meta": lambda: sample_meta(src, here),
        "sample-downloads": lambda: sample_downloads(src, here),
        "sample-summary": lambda: sample_summary(src, here),
        "sample-results": lambda: sample_results(src, here),
        "sample-command": lambda: ["```bash", SAMPLE_COMMAND, "```"],
        "coverage": lambda: coverage_block(src, here),
        "cli-reference": lambda: cli_reference(here),
        "evidence-cli": lambda: evidence_cli_block(here),
        "pytest-options": lambda: pytest_options_block(),
        "schemas": lambda: schema_list(src, here),
        "changelog": lambda: changelog_block(src, here),
    }


def expand_markers(markdown: str, src: Sources, here: str) -> str:
    """Replace each ``<!-- icss:NAME -->`` with its generated block; unknown names fail the build."""
    blocks = marker_blocks(src, here)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in blocks:
            known = ", ".join(sorted(blocks))
            raise PluginError(f"icss docs: {here} uses unknown marker icss:{name} (known: {known})")
        return "\n".join(blocks[name]())

    return MARKER.sub(replace, markdown)


# --------------------------------------------------------------------------------------------
# Navigation and generated files.
# --------------------------------------------------------------------------------------------


def generated_pages(src: Sources) -> dict[str, str]:
    """Every generated page's path and markdown."""
    pages = {"areas/index.md": render_all_indicators(src)}
    for i, area in enumerate(src.catalogue.areas):
        pages[area_page(area.id)] = render_area(src, i)
    for tag, description in tags(src.openapi):
        pages[tag_page(tag)] = render_tag(src, tag, description)
    pages["interface/schemas.md"] = render_schemas(src)
    for name, title in CORPORA.items():
        pages[f"corpora/{name}.md"] = render_corpus(src, name, title)
    return pages


def nav_children(src: Sources, index: str) -> list[Any]:
    if index == "areas/index.md":
        return [{f"{a.id} {a.title.zh} · {a.title.en}": area_page(a.id)} for a in src.catalogue.areas]
    if index == "interface/index.md":
        entries: list[Any] = [{tag_title(tag): tag_page(tag)} for tag, _ in tags(src.openapi)]
        return [*entries, {"数据结构 · Schemas": "interface/schemas.md"}]
    if index == "corpora/index.md":
        return [{title: f"corpora/{name}.md"} for name, title in CORPORA.items()]
    return []


def _nav_target(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and len(entry) == 1:
        value = next(iter(entry.values()))
        return value if isinstance(value, str) else None
    return None


def expand_nav(nav: Any, src: Sources) -> Any:
    """Append generated pages after the section index they belong to, wherever it sits in the nav."""
    if isinstance(nav, list):
        out: list[Any] = []
        for entry in nav:
            out.append(expand_nav(entry, src))
            target = _nav_target(entry)
            if target in ("areas/index.md", "interface/index.md", "corpora/index.md"):
                out.extend(nav_children(src, target))
        return out
    if isinstance(nav, dict):
        return {key: expand_nav(value, src) for key, value in nav.items()}
    return nav


# --------------------------------------------------------------------------------------------
# MkDocs events.
# --------------------------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _sources  # hooks are modules: the build's state lives in module globals
    root = Path(os.environ.get("ICSS_DOCS_SOURCE") or Path(config.config_file_path).parent).resolve()
    _sources = load_sources(root)
    if config.nav is not None:
        config.nav = expand_nav(config.nav, _sources)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    src = _state()
    for path, markdown in generated_pages(src).items():
        existing = files.get_file_from_path(path)
        if existing is not None:
            raise PluginError(f"icss docs: docs/{path} exists but is generated from spec/; delete the file")
        files.append(File.generated(config, path, content=markdown))
    # Downloadable copies, so that pages can link to the normative files offline.
    for schema_path in src.schema_files:
        files.append(File.generated(config, f"schemas/{schema_path.name}", abs_src_path=str(schema_path)))
    files.append(File.generated(config, "openapi.yaml", abs_src_path=str(src.spec / "openapi.yaml")))
    # The sample report's files, as the harness wrote them (byte for byte, so `report verify` holds).
    for name in SAMPLE_FILES:
        files.append(File.generated(config, f"{SAMPLE_DIR}/{name}", abs_src_path=str(src.sample_dir / name)))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    return expand_markers(join_cjk_lines(markdown), _state(), page.file.src_uri)


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    src = _state()
    server.watch(str(src.spec))
    server.watch(str(src.root / "CHANGELOG.md"))
    server.watch(str(src.sample_dir))
    return server


__all__ = [
    "Sources",
    "expand_markers",
    "generated_pages",
    "load_sources",
    "on_config",
    "on_files",
    "on_page_markdown",
    "on_serve",
]
