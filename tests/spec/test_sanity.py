"""Sanity tests of the standard's data, one concern per test so a failure names its rule.

Modelled on the JSON-Schema-Test-Suite's SanityTests: the spec is data, and the data is tested.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from jsonschema import Draft202012Validator

from icss.spec import EXPECTED_ACTIVE, load_catalogue, schema, schema_documents, validate_spec, validator
from icss.spec._load import raw_area_files, raw_profile_files, read_yaml, spec_root

CAT = load_catalogue()
AREA_FILES = raw_area_files()
PROFILE_FILES = raw_profile_files()


def test_the_whole_spec_validates() -> None:
    problems = validate_spec()
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("name", sorted(schema_documents()))
def test_every_schema_is_a_valid_2020_12_schema(name: str) -> None:
    doc = schema_documents()[name]
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].endswith("/" + name)
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("fname", sorted(AREA_FILES))
def test_area_file_is_schema_valid(fname: str) -> None:
    errors = [e.message for e in validator("area").iter_errors(AREA_FILES[fname])]
    assert not errors, errors


@pytest.mark.parametrize("fname", sorted(PROFILE_FILES))
def test_profile_file_is_schema_valid(fname: str) -> None:
    errors = [e.message for e in validator("profile").iter_errors(PROFILE_FILES[fname])]
    assert not errors, errors


def test_exactly_87_active_indicators() -> None:
    assert EXPECTED_ACTIVE == 87
    assert len(CAT.active()) == 87


def test_seven_areas_in_manifest_order() -> None:
    assert [a.id for a in CAT.areas] == ["CP", "SC", "DR", "DS", "EV", "AI", "OP"]


def test_ids_unique_and_well_formed() -> None:
    counts = Counter(ind.id for ind in CAT.indicators)
    assert [i for i, n in counts.items() if n > 1] == []
    for ind in CAT.indicators:
        assert re.fullmatch(rf"{ind.area}-\d\d", ind.id), ind.id


def test_ids_are_stable_against_the_registry() -> None:
    registered = read_yaml(spec_root() / "ids.yaml")["ids"]
    present = {ind.id for ind in CAT.indicators}
    assert set(registered) <= present, "a published id disappeared; withdraw it instead"
    assert present <= set(registered), "a new id must be registered in spec/ids.yaml"
    assert len(registered) == len(set(registered))


def test_withdrawn_indicators_say_when() -> None:
    for ind in CAT.indicators:
        if not ind.active:
            assert ind.withdrawn_in, ind.id


def test_at_least_60_percent_probed() -> None:
    active = CAT.active()
    assert sum(i.probed for i in active) / len(active) >= 0.60


def test_every_parameter_is_defined_and_valued_in_every_profile() -> None:
    for ind in CAT.indicators:
        for name in ind.parameters:
            assert name in CAT.parameters, (ind.id, name)
    for profile in CAT.profiles.values():
        missing = sorted(set(CAT.parameters) - set(profile.parameters))
        assert not missing, (profile.id, missing)


def test_every_defined_parameter_is_used_by_some_indicator() -> None:
    used = {name for ind in CAT.active() for name in ind.parameters}
    assert sorted(set(CAT.parameters) - used) == []


@pytest.mark.parametrize("profile_id", ["cn", "us", "eu", "uk"])
def test_base_profiles_exist_and_stand_alone(profile_id: str) -> None:
    profile = CAT.profile(profile_id)
    assert profile.extends is None
    assert all(v.defined_in == profile_id for v in profile.parameters.values())


def test_layered_profiles_inherit_and_override() -> None:
    layered = [p for p in CAT.profiles.values() if p.extends]
    assert layered, "at least one profile layers on another (e.g. us-ma extends us)"
    for profile in layered:
        parent = CAT.profile(profile.extends or "")
        overrides = {n for n, v in profile.parameters.items() if v.defined_in == profile.id}
        assert overrides, f"{profile.id} overrides nothing"
        for name, value in profile.parameters.items():
            if name not in overrides:
                assert value == parent.parameters[name]


def test_statutory_values_cite_a_source_and_defaults_say_so() -> None:
    for profile in CAT.profiles.values():
        for name, value in profile.parameters.items():
            if value.basis in ("statutory", "guidance"):
                assert value.source is not None, (profile.id, name)
                assert value.source.section, (profile.id, name)
            else:
                assert value.note is not None, (profile.id, name)


def test_every_reference_has_a_section_and_a_known_status() -> None:
    for ind in CAT.indicators:
        assert ind.references, ind.id
        for ref in ind.references:
            assert ref.section.strip(), ind.id
            assert ref.status in ("primary", "secondary")


_EN_MODAL = re.compile(r"\b(must|shall|should|may)\b", re.IGNORECASE)
_ZH_MODAL = re.compile(r"应当|应该|必须|不得|不应|宜|须")


@pytest.mark.parametrize("ind", CAT.indicators, ids=lambda i: i.id)
def test_titles_free_of_modal_verbs(ind) -> None:  # type: ignore[no-untyped-def]
    assert not _EN_MODAL.search(ind.title.en), ind.title.en
    assert not _ZH_MODAL.search(ind.title.zh), ind.title.zh


@pytest.mark.parametrize("ind", CAT.indicators, ids=lambda i: i.id)
def test_zh_and_en_present_and_distinct(ind) -> None:  # type: ignore[no-untyped-def]
    for text in (ind.title, ind.statement):
        assert text.zh.strip()
        assert text.en.strip()
        assert re.search(r"[\u4e00-\u9fff]", text.zh), "Chinese text has no Chinese characters"
        # English may quote a Chinese term (e.g. the opt-out keyword 退订, status 账销案存), no more.
        cjk = len(re.findall(r"[\u4e00-\u9fff]", text.en))
        assert cjk <= max(12, len(text.en) // 20), "English text is largely Chinese"


def test_statements_use_the_obligation_keyword() -> None:
    for ind in CAT.indicators:
        keyword = "MUST" if ind.obligation == "must" else "SHOULD"
        assert keyword in ind.statement.en, ind.id


def test_resolve_gives_profile_values() -> None:
    resolved = CAT.resolve("CP-01", "us")
    assert resolved["contact_window_start"].value == "08:00"
    assert resolved["contact_window_end"].value == "21:00"
    assert CAT.resolve("CP-01", "cn")["contact_window_end"].value == "22:00"


def test_validate_spec_reports_a_broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The validator is only worth something if it fails: break one rule and watch it."""
    from icss.spec import _validate

    monkeypatch.setattr(_validate, "EXPECTED_ACTIVE", 86)
    problems = _validate.validate_spec()
    assert any("exactly 86" in str(p) for p in problems)


def test_every_probed_indicator_maps_to_an_existing_operation() -> None:
    import yaml

    from icss.spec import operation_ids

    known = operation_ids(yaml.safe_load((spec_root() / "openapi.yaml").read_text(encoding="utf-8")))
    for ind in CAT.active():
        if ind.probed:
            assert ind.operations, f"{ind.id} is {ind.verification} but names no operation"
        unknown = sorted(set(ind.operations) - known)
        assert not unknown, f"{ind.id} names operations missing from openapi.yaml: {unknown}"


def test_reason_codes_named_by_indicators_exist_in_the_interface() -> None:
    """A statement that says 'reason X' must name a code of common.schema.json#/$defs/reason_code."""
    enum = set(schema_documents()["common.schema.json"]["$defs"]["reason_code"]["enum"])
    pattern = re.compile(r"(?<!exclusion )\breasons? ((?:[a-z]+_[a-z0-9_]+(?:, | or | and |, or |, and )?)+)")
    unknown = {
        (ind.id, code)
        for ind in CAT.indicators
        for group in pattern.findall(ind.statement.en)
        for code in re.findall(r"[a-z]+_[a-z0-9_]+", group)
        if code not in enum
    }
    assert sorted(unknown) == []


def test_corpus_contexts_are_what_the_interface_accepts() -> None:
    """The harness sends each corpus item's context to checkUtterance: the two schemas must agree."""
    item_context = schema("script-corpus-item")["$defs"]["context"]["properties"]
    request_context = schema("script-check-request")["properties"]["context"]["properties"]
    for name, definition in item_context.items():
        assert name in request_context, f"corpus context member {name} is not in checkUtterance's context"
        if "items" in definition:
            assert definition["items"] == request_context[name]["items"], name
