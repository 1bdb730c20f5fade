"""Mutants of the SC area (charges, required disclosures in messages, and the script-check categories)."""

from __future__ import annotations

from . import mutant

mutant(
    "sc_unauthorized_charge_accepted",
    {"SC-10"},
    faults={"sc_unauthorized_charge_accepted"},
    note="addDebtCharge accepts a collection fee the agreement does not list",
)
mutant(
    "sc_us_disclosure_missing",
    {"SC-12"},
    faults={"sc_us_disclosure_missing"},
    note="us collection messages go out without 'This communication is from a debt collector'",
)

# SC-01..SC-09 and SC-11 are decided on the script corpus test split, which the reference's own checker does not
# pass (issue 7). So that each check is seen both passing and failing, these mutants stand on the test aid
# ``sc_oracle`` (planted in their baseline too): the reference answers the corpus's test items with their labels.
# One mutant per indicator then silences a category (its recall falls to 0), another reports a category on every
# utterance (its false alarms on look-alikes rise to 1). Test-mode switches in reference/_handlers/scripts.py.
for _indicator, _silenced, _overflagged in (
    ("SC-01", "threat_of_violence", "threat_of_violence"),
    ("SC-02", "threat_of_arrest_or_prosecution", "threat_of_arrest_or_prosecution"),
    ("SC-03", "false_legal_claim", "false_legal_claim"),
    ("SC-04", "impersonation", "impersonation"),
    ("SC-05", "insult_or_abuse", "insult_or_abuse"),
    ("SC-06", "obscene_or_profane", "obscene_or_profane"),
    ("SC-07", "third_party_disclosure", "third_party_disclosure"),
    ("SC-08", "contact_network_threat", "contact_network_threat"),
    ("SC-09", "debt_trap_inducement", "debt_trap_inducement"),
    ("SC-11", "discrimination", "harassment_pressure"),  # SC-11 covers both: one mutant each
):
    for _name, _note in (
        (f"sc_{_silenced}_undetected", f"checkUtterance(Batch) never reports {_silenced}"),
        (f"sc_{_overflagged}_overflagged", f"checkUtterance(Batch) reports {_overflagged} on every utterance"),
    ):
        mutant(_name, {_indicator}, faults={_name}, base_faults={"sc_oracle"}, level=2, only={_indicator}, note=_note)

mutant(
    "sc_listener_ignored",
    {"SC-07"},
    level=2,
    only={"SC-07"},
    faults={"sc_listener_ignored"},
    base_faults={"sc_oracle"},
    note="checkUtterance(Batch) ignores context.listener: telling a spouse (Regulation F) reads as a third party",
)

mutant(
    "sc_context_contradiction_accepted",
    {"SC-07"},
    level=2,
    only={"SC-07"},
    faults={"sc_context_contradiction_accepted"},
    base_faults={"sc_oracle"},
    note="checkUtterance answers 200 to a context whose listener contradicts listener_is_debtor",
)

mutant(
    "sc_identity_missing",
    {"SC-12"},
    profile="cn",
    faults={"sc_identity_missing"},
    note="collection messages do not name the collecting institution or the creditor",
)

mutant(
    "sc_stream_no_alert",
    {"SC-13"},
    level=2,
    only={"SC-13"},
    faults={"sc_stream_no_alert"},
    note="a blocking utterance on the live stream raises no supervisor alert",
)
