"""Sanity rules of the standard's data, in the manner of the JSON-Schema-Test-Suite's own tests.

Each rule is a small function registered in ``_RULES``; :func:`validate_spec` runs them all and
returns every problem found, so ``icss spec validate`` can list them at once instead of stopping
at the first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ._load import build_catalogue, raw_area_files, raw_profile_files, read_yaml, spec_root
from ._model import Catalogue
from ._schemas import validator

#: The number of active indicators the 1.x line of the standard holds.
EXPECTED_ACTIVE = 87
#: Least share of active indicators a black-box harness must be able to decide.
MIN_PROBED_SHARE = 0.60

_EN_MODAL = re.compile(r"\b(must|shall|should|may|required to|need to|ought)\b", re.IGNORECASE)
# 应 is modal on its own but not inside words such as 响应, 对应, 应用, 供应, 应急.
_ZH_MODAL = re.compile(r"应当|应该|必须|不得|不应|宜|须|可以|(?<![响对供适相回反答])应(?![用对答急收付])")
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One thing wrong with the spec data, located by file and, where useful, indicator id."""

    file: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        loc = f"{self.file}:{self.where}" if self.where else self.file
        return f"{loc}: {self.message}"


_Rule = Callable[[Catalogue, dict[str, Any]], Iterator[SpecProblem]]
_RULES: list[_Rule] = []


def _rule(func: _Rule) -> _Rule:
    _RULES.append(func)
    return func


def _schema_problems(raw: dict[str, Any]) -> Iterator[SpecProblem]:
    for fname, doc in raw["areas"].items():
        for err in validator("area").iter_errors(doc):
            yield SpecProblem(f"indicators/{fname}", err.message, "/" + "/".join(map(str, err.absolute_path)))
    for fname, doc in raw["profiles"].items():
        for err in validator("profile").iter_errors(doc):
            yield SpecProblem(f"profiles/{fname}", err.message, "/" + "/".join(map(str, err.absolute_path)))
    for err in validator("parameters").iter_errors(raw["parameters"]):
        yield SpecProblem("parameters.yaml", err.message, "/" + "/".join(map(str, err.absolute_path)))
    for err in validator("manifest").iter_errors(raw["manifest"]):
        yield SpecProblem("manifest.yaml", err.message, "/" + "/".join(map(str, err.absolute_path)))


@_rule
def _area_files_consistent(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    for fname, doc in raw["areas"].items():
        area = doc.get("area", "")
        if fname != f"{str(area).lower()}.yaml":
            yield SpecProblem(f"indicators/{fname}", f"file of area {area!r} must be named {str(area).lower()}.yaml")
        for ind in doc.get("indicators", []):
            if ind.get("area") != area or not str(ind.get("id", "")).startswith(f"{area}-"):
                yield SpecProblem(f"indicators/{fname}", f"indicator is not of area {area}", ind.get("id", "?"))


@_rule
def _ids_unique(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    counts = Counter(ind.id for ind in cat.indicators)
    for ind_id, n in counts.items():
        if n > 1:
            yield SpecProblem("indicators", f"id used {n} times", ind_id)


@_rule
def _ids_registered(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    """Every published id stays (active or withdrawn); every id is published deliberately."""
    registered = set(raw["id_registry"])
    present = {ind.id for ind in cat.indicators}
    for ind_id in sorted(registered - present):
        yield SpecProblem("ids.yaml", "registered id was removed; withdraw it instead of deleting it", ind_id)
    for ind_id in sorted(present - registered):
        yield SpecProblem("ids.yaml", "id is not registered in ids.yaml", ind_id)


@_rule
def _active_count(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    n = len(cat.active())
    if n != EXPECTED_ACTIVE:
        yield SpecProblem("indicators", f"{n} active indicators; the standard holds exactly {EXPECTED_ACTIVE}")


@_rule
def _probed_share(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    active = cat.active()
    probed = sum(ind.probed for ind in active)
    if active and probed / len(active) < MIN_PROBED_SHARE:
        yield SpecProblem(
            "indicators", f"only {probed}/{len(active)} active indicators are automated or hybrid (< 60 %)"
        )


@_rule
def _parameters_defined(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    for ind in cat.indicators:
        for name in ind.parameters:
            if name not in cat.parameters:
                yield SpecProblem("indicators", f"parameter {name!r} is not defined in parameters.yaml", ind.id)
        used = set(_PLACEHOLDER.findall(ind.statement.en)) | set(_PLACEHOLDER.findall(ind.statement.zh))
        for name in sorted(used - set(ind.parameters)):
            yield SpecProblem("indicators", f"statement names {{{name}}} but parameters omit it", ind.id)


@_rule
def _profiles_complete(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    for profile in cat.profiles.values():
        for name in cat.parameters:
            if name not in profile.parameters:
                yield SpecProblem(f"profiles/{profile.id}.yaml", f"no value for parameter {name!r}")
        for name in profile.parameters:
            if name not in cat.parameters:
                yield SpecProblem(f"profiles/{profile.id}.yaml", f"value for unknown parameter {name!r}")


@_rule
def _titles_without_modals(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    for ind in cat.indicators:
        if m := _EN_MODAL.search(ind.title.en):
            yield SpecProblem("indicators", f"English title uses modal verb {m.group(0)!r}", ind.id)
        if m := _ZH_MODAL.search(ind.title.zh):
            yield SpecProblem("indicators", f"Chinese title uses modal verb {m.group(0)!r}", ind.id)


@_rule
def _statements_normative(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    for ind in cat.indicators:
        keyword = "MUST" if ind.obligation == "must" else "SHOULD"
        if keyword not in ind.statement.en:
            yield SpecProblem("indicators", f"{ind.obligation} indicator's English statement lacks {keyword}", ind.id)
        zh_keyword = "应" if ind.obligation == "must" else "宜"
        if zh_keyword not in ind.statement.zh:
            yield SpecProblem(
                "indicators", f"{ind.obligation} indicator's Chinese statement lacks {zh_keyword}", ind.id
            )


@_rule
def _operations_exist(cat: Catalogue, raw: dict[str, Any]) -> Iterator[SpecProblem]:
    known = raw["operation_ids"]
    if known is None:
        yield SpecProblem("openapi.yaml", "missing: indicators cannot be tied to operations")
        return
    for ind in cat.indicators:
        for op in ind.operations:
            if op not in known:
                yield SpecProblem("indicators", f"operation {op!r} is not in openapi.yaml", ind.id)


def operation_ids(openapi: dict[str, Any]) -> set[str]:
    """The operationIds an OpenAPI document declares."""
    ids: set[str] = set()
    for item in (openapi.get("paths") or {}).values():
        for method, op in item.items():
            if method in _HTTP_METHODS and isinstance(op, dict) and "operationId" in op:
                ids.add(op["operationId"])
    return ids


def _raw() -> dict[str, Any]:
    root = spec_root()
    openapi_node = root / "openapi.yaml"
    openapi = read_yaml(openapi_node) if openapi_node.is_file() else None
    return {
        "areas": raw_area_files(root),
        "profiles": raw_profile_files(root),
        "parameters": read_yaml(root / "parameters.yaml"),
        "manifest": read_yaml(root / "manifest.yaml"),
        "id_registry": read_yaml(root / "ids.yaml")["ids"],
        "operation_ids": operation_ids(openapi) if openapi is not None else None,
    }


def validate_spec() -> list[SpecProblem]:
    """Check every file of the installed spec; an empty list means the standard is sound."""
    raw = _raw()
    problems = list(_schema_problems(raw))
    if problems:
        # Cross-file rules read the typed model, which assumes schema-valid files.
        return problems
    try:
        cat = build_catalogue()
    except (KeyError, ValueError, TypeError) as exc:
        return [SpecProblem("spec", f"cannot be loaded: {exc}")]
    for rule in _RULES:
        problems.extend(rule(cat, raw))
    return problems
