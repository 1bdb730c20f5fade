"""Read the YAML/JSON files of ``spec/`` into the typed model, once per process.

Loading validates nothing beyond what building the objects needs; :mod:`icss.spec._validate`
holds the sanity rules so that a broken file can still be loaded and reported on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

import yaml

from ._model import (
    AreaInfo,
    Bilingual,
    Catalogue,
    Indicator,
    Level,
    Parameter,
    ParameterValue,
    Profile,
    Reference,
)
from ._once import once


def spec_root() -> Traversable:
    """The folder holding the standard's data, in a checkout or an installed wheel alike."""
    return resources.files("icss.spec")


#: libyaml's loader where PyYAML was built with it (several times faster on the 3,000-line OpenAPI).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(node: Traversable) -> Any:
    return yaml.load(node.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


@once
def openapi_document() -> dict[str, Any]:
    """spec/openapi.yaml, parsed once per process (treat it as read-only)."""
    doc: dict[str, Any] = read_yaml(spec_root() / "openapi.yaml")
    return doc


def read_json(node: Traversable) -> Any:
    return json.loads(node.read_text(encoding="utf-8"))


def data_files(root: Traversable | None = None) -> Iterator[tuple[str, Traversable]]:
    """Every data file of the standard as (relative path, node), sorted by path.

    These are the files the spec digest covers: what a report pins when it says which
    standard it judged against.
    """
    root = root or spec_root()
    found: list[tuple[str, Traversable]] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name not in ("__pycache__",):
                    walk(child, rel + "/")
            elif child.name.endswith((".yaml", ".json", ".jsonl", ".csv", ".txt")):
                found.append((rel, child))

    walk(root, "")
    yield from sorted(found, key=lambda item: item[0])


def _text(raw: Mapping[str, str]) -> Bilingual:
    return Bilingual(zh=raw["zh"], en=raw["en"])


def _bilingual(raw: Mapping[str, str] | None) -> Bilingual | None:
    return None if raw is None else _text(raw)


def _reference(raw: Mapping[str, Any]) -> Reference:
    return Reference(
        source=raw["source"],
        section=str(raw["section"]),
        jurisdiction=raw["jurisdiction"],
        status=raw["status"],
        note=raw.get("note"),
    )


def _indicator(raw: Mapping[str, Any]) -> Indicator:
    return Indicator(
        id=raw["id"],
        area=raw["area"],
        title=_text(raw["title"]),
        statement=_text(raw["statement"]),
        level=int(raw["level"]),
        obligation=raw["obligation"],
        verification=raw["verification"],
        parameters=tuple(raw.get("parameters") or ()),
        references=tuple(_reference(r) for r in raw.get("references") or ()),
        operations=tuple(raw.get("operations") or ()),
        checks=tuple(raw.get("checks") or ()),
        status=raw["status"],
        since=str(raw["since"]),
        rationale=_bilingual(raw.get("rationale")),
        evidence=_bilingual(raw.get("evidence")),
        withdrawn_in=raw.get("withdrawn_in"),
        replaced_by=tuple(raw.get("replaced_by") or ()),
    )


def _value(raw: Mapping[str, Any], defined_in: str) -> ParameterValue:
    return ParameterValue(
        value=raw["value"],
        basis=raw["basis"],
        source=_reference(raw["source"]) if "source" in raw else None,
        note=_bilingual(raw.get("note")),
        defined_in=defined_in,
    )


def _profiles(raw_profiles: Mapping[str, Mapping[str, Any]]) -> dict[str, Profile]:
    """Merge each profile over the one it extends (its own values win)."""
    merged: dict[str, Profile] = {}

    def build(pid: str, seen: tuple[str, ...] = ()) -> Profile:
        if pid in merged:
            return merged[pid]
        if pid in seen:
            raise ValueError(f"profile inheritance cycle: {' -> '.join((*seen, pid))}")
        raw = raw_profiles[pid]
        values: dict[str, ParameterValue] = {}
        parent = raw.get("extends")
        if parent:
            if parent not in raw_profiles:
                raise ValueError(f"profile {pid!r} extends unknown profile {parent!r}")
            values.update(build(parent, (*seen, pid)).parameters)
        for name, value in (raw.get("parameters") or {}).items():
            values[name] = _value(value, pid)
        profile = Profile(
            id=pid,
            title=_text(raw["title"]),
            jurisdiction=raw["jurisdiction"],
            parameters=MappingProxyType(values),
            extends=parent,
            description=_bilingual(raw.get("description")),
            public_holidays=raw.get("public_holidays")
            or (build(parent, (*seen, pid)).public_holidays if parent else None),
        )
        merged[pid] = profile
        return profile

    for pid in raw_profiles:
        build(pid)
    return merged


def spec_digest(root: Traversable | None = None) -> str:
    """SHA-256 over every data file's path and bytes: the identity of this edition of the spec."""
    digest = hashlib.sha256()
    for rel, node in data_files(root):
        digest.update(rel.encode() + b"\0")
        digest.update(node.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def raw_area_files(root: Traversable | None = None) -> dict[str, Any]:
    """The parsed ``indicators/*.yaml`` files keyed by file name."""
    root = root or spec_root()
    folder = root / "indicators"
    return {
        node.name: read_yaml(node)
        for node in sorted(folder.iterdir(), key=lambda n: n.name)
        if node.name.endswith(".yaml")
    }


def raw_profile_files(root: Traversable | None = None) -> dict[str, Any]:
    root = root or spec_root()
    folder = root / "profiles"
    return {
        node.name: read_yaml(node)
        for node in sorted(folder.iterdir(), key=lambda n: n.name)
        if node.name.endswith(".yaml")
    }


def build_catalogue(root: Traversable | None = None) -> Catalogue:
    """Build a catalogue from the files under ``root`` (the installed spec by default)."""
    root = root or spec_root()
    manifest = read_yaml(root / "manifest.yaml")
    order = {area: i for i, area in enumerate(manifest["areas"])}

    areas: list[AreaInfo] = []
    for raw in raw_area_files(root).values():
        indicators = tuple(sorted((_indicator(i) for i in raw["indicators"]), key=lambda i: i.id))
        areas.append(
            AreaInfo(
                id=raw["area"],
                title=_text(raw["title"]),
                description=_text(raw["description"]),
                indicators=indicators,
            )
        )
    areas.sort(key=lambda a: order.get(a.id, len(order)))

    params_raw = read_yaml(root / "parameters.yaml")["parameters"]
    parameters = {
        name: Parameter(
            name=name,
            type=p["type"],
            unit=p.get("unit"),
            title=_text(p["title"]),
            description=_text(p["description"]),
        )
        for name, p in params_raw.items()
    }
    raw_profiles = {raw["id"]: raw for raw in raw_profile_files(root).values()}
    levels = tuple(
        Level(number=int(n), title=_text(lv["title"]), description=_text(lv["description"]))
        for n, lv in sorted(manifest["levels"].items())
    )
    by_id: dict[str, Indicator] = {}
    for area in areas:
        for ind in area.indicators:
            by_id.setdefault(ind.id, ind)
    return Catalogue(
        version=str(manifest["version"]),
        title=_text(manifest["title"]),
        levels=levels,
        areas=tuple(areas),
        parameters=MappingProxyType(parameters),
        profiles=MappingProxyType(_profiles(raw_profiles)),
        digest=spec_digest(root),
        _by_id=MappingProxyType(by_id),
    )


@once
def load_catalogue() -> Catalogue:
    """The installed standard, built on first use and shared by every caller afterwards."""
    return build_catalogue()
