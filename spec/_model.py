"""Typed, frozen views of the standard's data.

The YAML files under ``spec/`` are the single source of truth; these classes only give them
types so that the reference, the harness and the docs read one shape and cannot mutate it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

Area = Literal["CP", "SC", "DR", "DS", "EV", "AI", "OP"]
Obligation = Literal["must", "should"]
Verification = Literal["automated", "hybrid", "attested"]
Basis = Literal["statutory", "guidance", "association_default"]


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in Chinese and English; both are normative and say the same thing."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class Reference:
    """A legal or technical source an indicator or a parameter value rests on."""

    source: str
    section: str
    jurisdiction: str
    status: Literal["primary", "secondary"]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """One normative statement of the standard, identified forever by ``id``."""

    id: str
    area: Area
    title: Bilingual
    statement: Bilingual
    level: int
    obligation: Obligation
    verification: Verification
    parameters: tuple[str, ...]
    references: tuple[Reference, ...]
    operations: tuple[str, ...]
    checks: tuple[str, ...]
    status: Literal["active", "withdrawn"]
    since: str
    rationale: Bilingual | None = None
    evidence: Bilingual | None = None
    withdrawn_in: str | None = None
    replaced_by: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def probed(self) -> bool:
        """Whether a black-box harness decides it (automated or hybrid)."""
        return self.verification in ("automated", "hybrid")


@dataclass(frozen=True, slots=True)
class AreaInfo:
    """An area of the standard and its indicators, in id order."""

    id: Area
    title: Bilingual
    description: Bilingual
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, slots=True)
class Parameter:
    """The definition of a profile parameter (its type and meaning, not its value)."""

    name: str
    type: str
    title: Bilingual
    description: Bilingual
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """A parameter's value in one profile, with the basis and source that justify it."""

    value: Any
    basis: Basis
    source: Reference | None = None
    note: Bilingual | None = None
    defined_in: str = ""  # the profile id whose file gave the value (differs from the profile when inherited)


@dataclass(frozen=True, slots=True)
class Profile:
    """A jurisdiction's parameter values, already merged with the profile it extends."""

    id: str
    title: Bilingual
    jurisdiction: str
    parameters: Mapping[str, ParameterValue]
    extends: str | None = None
    description: Bilingual | None = None
    public_holidays: str | None = None

    def value(self, name: str) -> Any:
        """Return the bare value of parameter ``name``; KeyError if the profile lacks it."""
        return self.parameters[name].value


@dataclass(frozen=True, slots=True)
class Level:
    number: int
    title: Bilingual
    description: Bilingual


@dataclass(frozen=True)
class Catalogue:
    """The whole standard, loaded once: areas, indicators, parameters and profiles."""

    version: str
    title: Bilingual
    levels: tuple[Level, ...]
    areas: tuple[AreaInfo, ...]
    parameters: Mapping[str, Parameter]
    profiles: Mapping[str, Profile]
    digest: str
    _by_id: Mapping[str, Indicator] = field(repr=False, default_factory=lambda: MappingProxyType({}))

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator, active or withdrawn, in area then id order."""
        return tuple(ind for area in self.areas for ind in area.indicators)

    def active(self) -> tuple[Indicator, ...]:
        """The indicators in force."""
        return tuple(ind for ind in self.indicators if ind.active)

    def indicator(self, indicator_id: str) -> Indicator:
        """Look an indicator up by id; KeyError names the unknown id."""
        try:
            return self._by_id[indicator_id]
        except KeyError:
            raise KeyError(f"unknown indicator id {indicator_id!r}") from None

    def profile(self, profile_id: str) -> Profile:
        try:
            return self.profiles[profile_id]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise KeyError(f"unknown profile {profile_id!r} (known: {known})") from None

    def resolve(self, indicator_id: str, profile_id: str) -> Mapping[str, ParameterValue]:
        """The values of an indicator's parameters in a profile."""
        profile = self.profile(profile_id)
        ind = self.indicator(indicator_id)
        return MappingProxyType({name: profile.parameters[name] for name in ind.parameters})

    def in_scope(self, profile_id: str, level: int) -> tuple[Indicator, ...]:
        """Active indicators a claim of ``level`` under ``profile_id`` is judged on."""
        self.profile(profile_id)
        return tuple(ind for ind in self.active() if ind.level <= level)
