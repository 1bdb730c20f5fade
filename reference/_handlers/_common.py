"""Shared helpers of the handlers: ids, timestamps, pages, profiles and the views of records."""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, and_, or_, select

from icss.spec import Profile

from .._problems import Problem
from .._routing import Call


def new_id(prefix: str) -> str:
    """Time-ordered ids (``prefix_<ns hex><random>``): lists page stably by id."""
    return f"{prefix}_{time.time_ns():016x}{secrets.token_hex(4)}"


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_date(day: date) -> str:
    return day.isoformat()


#: The instants the service reasons about. Rules add days, months and years to an instant and read
#: it on local wall clocks; at the ends of Python's calendar (years 1 and 9999) that overflows, and
#: no collection happens there, so instants outside these bounds are refused.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def parse_ts(value: str | None, default: datetime, *, status: int = 422) -> datetime:
    """An RFC 3339 timestamp as an aware UTC datetime; ``status`` 400 for query parameters."""
    if value is None:
        return default
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("naive")
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Problem("validation-failed", "timestamps are RFC 3339 with an offset", status=status) from None
    check_instant(moment, status=status)
    return moment


def check_instant(moment: datetime, *, status: int = 422) -> None:
    if not EARLIEST <= moment < LATEST:
        raise Problem("validation-failed", f"instants lie from {iso(EARLIEST)} to before {iso(LATEST)}", status=status)


_DURATION = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<tH>\d+(?:\.\d+)?)H)?(?:(?P<tM>\d+(?:\.\d+)?)M)?(?:(?P<tS>\d+(?:\.\d+)?)S)?)?$"
)


def add_duration(moment: datetime, duration: str) -> datetime:
    """Add an ISO 8601 duration, calendar-aware (P1M is the same day next month, clamped)."""
    match = _DURATION.match(duration)
    if match is None:
        raise Problem("validation-failed", f"cannot read the duration {duration!r}; ISO 8601, e.g. P7D or PT2H")
    fields = {k: v for k, v in match.groupdict().items() if v is not None}
    try:
        delta = relativedelta(
            years=int(fields.get("Y", 0)),
            months=int(fields.get("M", 0)),
            weeks=int(fields.get("W", 0)),
            days=int(fields.get("D", 0)),
        )
        clock = timedelta(
            hours=float(fields.get("tH", 0)), minutes=float(fields.get("tM", 0)), seconds=float(fields.get("tS", 0))
        )
        return moment + delta + clock
    except (OverflowError, ValueError):
        raise Problem("validation-failed", f"the duration {duration!r} leaves the calendar's range") from None


#: The languages the service writes its messages to debtors in (getCapabilities' languages, DR-10).
MESSAGE_LANGUAGES = ("zh", "en")
#: The language of a message to a debtor whose preferred language is none of MESSAGE_LANGUAGES.
FALLBACK_LANGUAGE = "en"


def message_language(preferred: str) -> str:
    """The listed language a message to a debtor preferring ``preferred`` is written in (DR-10).

    RFC 4647 section 3.4 lookup: the tag, then the tag cut back one subtag at a time (a single-letter
    subtag left at the end goes with the one after it), compared without regard to case; a tag that
    matches no listed language gets the fallback language.
    """
    listed = {tag.lower(): tag for tag in MESSAGE_LANGUAGES}
    subtags = preferred.lower().split("-")
    while subtags:
        if (found := listed.get("-".join(subtags))) is not None:
            return found
        subtags.pop()
        if subtags and len(subtags[-1]) == 1:
            subtags.pop()
    return FALLBACK_LANGUAGE


def check_language(tag: str, pointer: str) -> None:
    # RFC 5646 section 4.4.1: implementations keep language tags of at least 35 characters; this one keeps 35.
    if len(tag) > 35:
        raise Problem(
            "validation-failed",
            "language tags are at most 35 characters",
            errors=[{"pointer": pointer, "message": "too long"}],
        )


def profile_of(call: Call, profile_id: str) -> Profile:
    try:
        return call.ctx.catalogue.profile(profile_id)
    except KeyError:
        raise Problem("validation-failed", f"unknown profile {profile_id!r}") from None


def limit_of(call: Call, default: int = 50, maximum: int = 500) -> int:
    raw = call.query.get("limit")
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Problem("validation-failed", f"limit is a whole number from 1 to {maximum}", status=400)
    return int(raw)


def _encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise Problem("validation-failed", "the cursor is not one this service issued", status=400) from None
    if "\x00" in decoded:
        raise Problem("validation-failed", "the cursor is not one this service issued", status=400)
    return decoded


def page(call: Call, statement: Select[Any], id_column: Any, view: Any) -> dict[str, Any]:
    """Keyset pagination by (time-ordered) id: stable under concurrent inserts."""
    limit = limit_of(call)
    cursor = call.query.get("cursor")
    if cursor:
        statement = statement.where(id_column > _decode_cursor(cursor))
        if call.ctx.fault("op_cursor_skips_item"):  # test mode: every later page loses its first item
            statement = statement.offset(1)
    rows: Sequence[Any] = call.session.execute(statement.order_by(id_column).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [view(row) for row in rows],
        "next_cursor": _encode_cursor(rows[-1].id) if more and rows else None,
    }


def page_by_time(call: Call, statement: Select[Any], time_column: Any, id_column: Any, view: Any) -> dict[str, Any]:
    """Keyset pagination ordered by an instant, then id (events are listed by effective_at)."""
    limit = limit_of(call)
    cursor = call.query.get("cursor")
    if cursor:
        moment, _, last_id = _decode_cursor(cursor).partition("|")
        at = parse_ts(moment or None, datetime.min.replace(tzinfo=UTC), status=400)
        statement = statement.where(or_(time_column > at, and_(time_column == at, id_column > last_id)))
    rows: Sequence[Any] = (
        call.session.execute(statement.order_by(time_column, id_column).limit(limit + 1)).scalars().all()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return {
        "items": [view(row) for row in rows],
        "next_cursor": _encode_cursor(f"{iso(getattr(last, time_column.key))}|{last.id}") if more and last else None,
    }


def receipt_url(index: int | None) -> str | None:
    return None if index is None else f"/icss/v1/evidence/receipts/{index}"


def strip_none(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


__all__ = [
    "add_duration",
    "check_instant",
    "check_language",
    "message_language",
    "MESSAGE_LANGUAGES",
    "iso",
    "iso_date",
    "limit_of",
    "new_id",
    "page",
    "page_by_time",
    "parse_ts",
    "profile_of",
    "receipt_url",
    "select",
    "strip_none",
]
