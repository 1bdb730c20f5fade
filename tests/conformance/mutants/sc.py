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

# SC-01..SC-09 and SC-11 are decided on the script corpus test split: each mutant silences one category of
# the reference's script checker (a test-mode fault in reference/_handlers/scripts.py).
for _indicator, _category in (
    ("SC-01", "threat_of_violence"),
    ("SC-02", "threat_of_arrest_or_prosecution"),
    ("SC-03", "false_legal_claim"),
    ("SC-04", "impersonation"),
    ("SC-05", "insult_or_abuse"),
    ("SC-06", "obscene_or_profane"),
    ("SC-07", "third_party_disclosure"),
    ("SC-08", "contact_network_threat"),
    ("SC-09", "debt_trap_inducement"),
    ("SC-11", "discrimination"),
):
    mutant(
        f"sc_{_category}_undetected",
        {_indicator},
        faults={f"sc_{_category}_undetected"},
        level=2,
        only={_indicator},
        note=f"checkUtterance(Batch) never reports {_category}",
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
