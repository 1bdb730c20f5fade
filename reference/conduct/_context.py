"""What a rule sees: the request, the profile's rules, the history at the instant, and the target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from ._facts import ContactPoint, ContactRequest, DebtorFacts
from ._history import History, local
from ._rules import Rules
from ._vocabulary import EXEMPT_RELATIONSHIPS, KIND_CHANNELS, MEDIUM_OF, TELEPHONE_CALLS, Medium


@dataclass(frozen=True)
class Context:
    request: ContactRequest
    rules: Rules
    history: History
    target: ContactPoint

    @classmethod
    def build(cls, facts: DebtorFacts, request: ContactRequest, rules: Rules) -> Context:
        """Check the request against the facts (a caller error raises ValueError) and build the view."""
        history = History(facts, request.at)
        target = history.contact_point(request.contact_point_id)
        if target is None:
            raise ValueError(f"unknown contact point {request.contact_point_id!r}")
        if request.channel not in KIND_CHANNELS[target.kind]:
            raise ValueError(f"channel {request.channel!r} cannot reach a contact point of kind {target.kind!r}")
        return cls(request=request, rules=rules, history=history, target=target)

    @property
    def at(self) -> datetime:
        return self.request.at

    @property
    def debt_id(self) -> str | None:
        return self.request.debt_id

    @property
    def to_debtor(self) -> bool:
        return self.target.owner == "debtor"

    @property
    def exempt_recipient(self) -> bool:
        """Reg F 1006.6(d)(1): the consumer's attorney, a CRA, the creditor and the attorneys involved."""
        return self.target.owner == "third_party" and (self.target.relationship or "") in EXEMPT_RELATIONSHIPS

    @property
    def person(self) -> str:
        return self.history.person_of(self.target.id)

    @property
    def medium(self) -> Medium:
        return MEDIUM_OF[self.request.channel]

    @property
    def is_call(self) -> bool:
        return self.request.channel in TELEPHONE_CALLS

    @cached_property
    def zones(self) -> tuple[str, ...]:
        """The zones whose wall clock the contact must suit.

        For the debtor, every zone they may be in plus the target's (Reg F comment
        6(b)(1)(i)-2); for a third party, the zone of their own contact point.
        """
        if not self.to_debtor:
            return (self.target.timezone,)
        zones = self.history.debtor_zones
        return zones if self.target.timezone in zones else (*zones, self.target.timezone)

    @cached_property
    def local_times(self) -> dict[str, datetime]:
        return {zone: local(self.at, zone) for zone in self.zones}
