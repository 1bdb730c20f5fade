"""Shared helpers of the handlers: ids, timestamps, pages, profiles and the views of records."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, select

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


def parse_ts(value: str | None, default: datetime) -> datetime:
    if value is None:
        return default
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise Problem("validation-failed", "timestamps carry an offset (RFC 3339)")
    return moment.astimezone(UTC)


def add_duration(moment: datetime, duration: str) -> datetime:
    """Add an ISO 8601 duration, calendar-aware (P1M is the same day next month, clamped)."""
    if not duration.startswith("P"):
        raise Problem("validation-failed", "durations are ISO 8601, e.g. P7D or PT2H")
    date_part, _, time_part = duration[1:].partition("T")
    fields: dict[str, float] = {}
    for part, units, prefix in ((date_part, ("Y", "M", "W", "D"), ""), (time_part, ("H", "M", "S"), "t")):
        number = ""
        for char in part:
            if char.isdigit() or char == ".":
                number += char
                continue
            if char not in units or not number:
                raise Problem("validation-failed", f"cannot read the duration {duration!r}")
            fields[prefix + char] = float(number)
            number = ""
    delta = relativedelta(
        years=int(fields.get("Y", 0)),
        months=int(fields.get("M", 0)),
        weeks=int(fields.get("W", 0)),
        days=int(fields.get("D", 0)),
    )
    return (
        moment + delta + timedelta(hours=fields.get("tH", 0), minutes=fields.get("tM", 0), seconds=fields.get("tS", 0))
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
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Problem("validation-failed", f"limit is a whole number from 1 to {maximum}")
    return int(raw)


def _encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise Problem("validation-failed", "the cursor is not one this service issued") from None


def page(call: Call, statement: Select[Any], id_column: Any, view: Any) -> dict[str, Any]:
    """Keyset pagination by (time-ordered) id: stable under concurrent inserts."""
    limit = limit_of(call)
    cursor = call.query.get("cursor")
    if cursor:
        statement = statement.where(id_column > _decode_cursor(cursor))
    rows: Sequence[Any] = call.session.execute(statement.order_by(id_column).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [view(row) for row in rows],
        "next_cursor": _encode_cursor(rows[-1].id) if more and rows else None,
    }


def receipt_url(index: int | None) -> str | None:
    return None if index is None else f"/icss/v1/evidence/receipts/{index}"


def strip_none(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


__all__ = [
    "add_duration",
    "iso",
    "iso_date",
    "limit_of",
    "new_id",
    "page",
    "parse_ts",
    "profile_of",
    "receipt_url",
    "select",
    "strip_none",
]
