"""Mutants of the AI area (disclosure by AI agents, consent to AI voice)."""

from __future__ import annotations

from . import mutant

mutant(
    "ai_disclosure_missing",
    {"AI-09"},
    faults={"ai_disclosure_missing"},
    note="AI text and AI voice contacts go out without saying they come from an AI",
)
mutant(
    "ai_voice_consent_ignored",
    {"AI-10"},
    level=2,
    only={"AI-09", "AI-10", "EV-01", "OP-01"},
    faults={"ai_voice_consent_ignored"},
    note="AI voice calls need no consent",
)
