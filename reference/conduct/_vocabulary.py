"""The closed vocabularies the conduct engine speaks: kinds, channels, purposes and reason codes.

They are ``Literal`` types so that mypy rejects a misspelt code, and tuples in a fixed order so
that a decision lists its reasons in the same order every time (the order of ``DENY_REASONS``
is the order a reader meets the rules: when, how often, who may be contacted, standing holds).
"""

from __future__ import annotations

from typing import Final, Literal, get_args

ContactKind = Literal["phone", "email", "address", "social"]
Owner = Literal["debtor", "third_party"]
EventType = Literal[
    "consent_given",
    "consent_revoked",
    "cease_request",
    "medium_opt_out",
    "dispute",
    "verification_sent",
    "original_creditor_info_sent",
    "attorney_representation",
    "inconvenient_time",
    "inconvenient_place",
    "workplace_contact_prohibited",
    "bankruptcy",
    "vulnerability",
    "inbound_conversation",
    "wrong_number",
    "initial_communication",
    "validation_notice_sent",
    "outsourcing_notice_sent",
    "transfer_notice_sent",
    "external_agency_assigned",
    "hardship",
]
Source = Literal["debtor", "creditor", "previous_collector", "attorney", "court", "collector"]
Channel = Literal["call", "ringless_voicemail", "sms", "email", "letter", "visit", "ai_voice", "ai_text"]
Outcome = Literal[
    "no_answer",
    "busy",
    "not_in_service",
    "voicemail",
    "limited_content_message",
    "answered_dropped",
    "conversation",
    "ringless_voicemail",
]
Purpose = Literal[
    "collection",
    "location_information",
    "opt_out_confirmation",
    "cease_termination_notice",
    "cease_remedy_notice",
    "validation_notice",
    "reply_to_debtor",
    "legally_required",
]
Medium = Literal["telephone", "text", "email", "letter", "visit"]

DenyReason = Literal[
    "outside_contact_window",
    "blocked_day",
    "inconvenient_time",
    "inconvenient_place",
    "call_cap_7d",
    "post_conversation_block",
    "daily_unanswered_cap",
    "daily_connected_cap",
    "electronic_message_cap",
    "cease_communication",
    "medium_opted_out",
    "attorney_represented",
    "workplace_prohibited",
    "third_party_not_permitted",
    "third_party_contact_limit",
    "dispute_pending",
    "vulnerable_debtor",
    "outsourcing_notice_missing",
    "validation_notice_missing",
    "ai_voice_consent_missing",
    "bankruptcy",
    "wrong_number",
    "missing_opt_out",
    "time_barred",
]
AllowReason = Literal[
    "allowed", "cease_exception", "opt_out_confirmation", "consumer_initiated_reply", "consent_exclusion"
]
Reason = DenyReason | AllowReason

#: Every deny reason, in the order a decision lists them.
DENY_REASONS: Final[tuple[DenyReason, ...]] = get_args(DenyReason)
#: Every allow reason, in the order a decision lists them.
ALLOW_REASONS: Final[tuple[AllowReason, ...]] = get_args(AllowReason)

EVENT_TYPES: Final[tuple[EventType, ...]] = get_args(EventType)
CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)
OUTCOMES: Final[tuple[Outcome, ...]] = get_args(Outcome)
PURPOSES: Final[tuple[Purpose, ...]] = get_args(Purpose)

# Reg F comment 14(b)-1: "placing a telephone call" includes a ringless voicemail; an AI voice
# dials a telephone call (FCC 24-17 treats it as an artificial voice call). Texts and e-mails are not calls.
TELEPHONE_CALLS: Final[frozenset[Channel]] = frozenset({"call", "ringless_voicemail", "ai_voice"})
# Calls that ring a handset, so that "answered" and "unanswered" mean something (CN daily caps).
RINGING_CALLS: Final[frozenset[Channel]] = frozenset({"call", "ai_voice"})
# Reg F 1006.6(e) and the electronic_messages_per_7d parameter: SMS, e-mail and AI text.
ELECTRONIC: Final[frozenset[Channel]] = frozenset({"sms", "email", "ai_text"})

# Reg F comment 14(h)(1)-3: "stop calling" covers every telephone call, whatever the voice;
# a medium is what the person named, so ringless voicemail and AI voice go with calls.
MEDIUM_OF: Final[dict[Channel, Medium]] = {
    "call": "telephone",
    "ringless_voicemail": "telephone",
    "ai_voice": "telephone",
    "sms": "text",
    "ai_text": "text",
    "email": "email",
    "letter": "letter",
    "visit": "visit",
}
# The words a debtor (or the recording agent) may use for a medium in a medium_opt_out event.
MEDIUM_ALIASES: Final[dict[str, Medium]] = {
    "telephone": "telephone",
    "phone": "telephone",
    "call": "telephone",
    "calls": "telephone",
    "ringless_voicemail": "telephone",
    "ai_voice": "telephone",
    "text": "text",
    "sms": "text",
    "ai_text": "text",
    "email": "email",
    "letter": "letter",
    "mail": "letter",
    "visit": "visit",
}

# The channels each kind of contact point can carry; anything else is a caller error.
KIND_CHANNELS: Final[dict[ContactKind, frozenset[Channel]]] = {
    "phone": frozenset({"call", "ringless_voicemail", "sms", "ai_voice", "ai_text"}),
    "email": frozenset({"email", "ai_text"}),
    "address": frozenset({"letter", "visit"}),
    "social": frozenset({"ai_text"}),
}

# Purposes that pursue the debt. Holds (dispute, bankruptcy, missing notices) stop these.
COLLECTION_PURPOSES: Final[frozenset[Purpose]] = frozenset({"collection", "location_information"})
# Reg F 1006.6(c)(2) / FDCPA 805(c): the only communications allowed after a cease request.
CEASE_EXCEPTIONS: Final[frozenset[Purpose]] = frozenset({"cease_termination_notice", "cease_remedy_notice"})

# Reg F 1006.6(d)(1) and 1006.14(b)(3)(iii): parties a collector may always communicate with,
# whose calls do not count. Spouses, parents and guardians are deliberately absent: Ireland's
# CCA 1995 s.46 and the CN rules forbid family contact without consent (strictest reading).
EXEMPT_RELATIONSHIPS: Final[frozenset[str]] = frozenset(
    {"attorney", "consumer_reporting_agency", "creditor", "creditor_attorney", "collector_attorney"}
)

WEEKDAYS: Final[tuple[str, ...]] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BLOCKABLE_DAYS: Final[frozenset[str]] = frozenset((*WEEKDAYS, "public_holiday"))
