"""Mutants of the DS area (data protection and security)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from icss.spec import load_catalogue

from . import mutant
from ._rewrite import read_body, replay_request, rewrite_responses

App = Any


def _role(scope: dict[str, Any]) -> str | None:
    """The role claim of the bearer token (read, not verified: the mutant only needs to pick requests)."""
    header = dict(scope.get("headers", [])).get(b"authorization", b"").decode()
    try:
        payload = header.split(" ", 1)[1].split(".")[1]
        return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["role"])
    except (IndexError, ValueError, KeyError):
        return None


def _answer_instead(method: str, path: str, when: Callable[[dict[str, Any]], bool], doc: Any) -> Callable[[App], App]:
    """Answer matching requests with 200 and ``doc`` instead of letting the service decide."""
    pattern = re.compile(path)

    def wrap(app: App) -> App:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if (
                scope["type"] == "http"
                and scope["method"] == method
                and pattern.fullmatch(scope["path"])
                and when(scope)
            ):
                body = json.dumps(doc).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)

        return wrapped

    return wrap


def _strip_request_fields(path: str, fields: set[str]) -> Callable[[App], App]:
    """Drop ``fields`` from JSON bodies POSTed to ``path`` before the service sees them (it then stores the rest)."""

    def wrap(app: App) -> App:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != path:
                await app(scope, receive, send)
                return
            raw = await read_body(receive)
            try:
                doc = json.loads(raw)
                if isinstance(doc, dict):
                    raw = json.dumps({k: v for k, v in doc.items() if k not in fields}).encode()
            except ValueError:
                pass
            await app(*replay_request(scope, raw), send)

        return wrapped

    return wrap


def _echo_path_in_404(app: App) -> App:
    """404 problem documents of GET /debtors/{id} repeat the identifier asked for in their detail."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = re.fullmatch(r"/icss/v1/debtors/([^/]+)", scope.get("path", ""))
        if scope["type"] != "http" or scope["method"] != "GET" or match is None:
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] == "http.response.body" and start.get("status") == 404:
                doc = json.loads(message.get("body", b"") or b"{}")
                doc["detail"] = f"no debtor {match.group(1)}"
                body = json.dumps(doc).encode()
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            if start:
                await send(start)
                start.clear()
            await send(message)

        await app(scope, receive, capture)

    return wrapped


def _json(change: Any) -> Any:
    def rewrite(_scope: dict[str, Any], body: bytes, _media: str) -> bytes:
        doc = json.loads(body)
        change(doc)
        return json.dumps(doc).encode()

    return rewrite


def _not_late(doc: dict[str, Any]) -> None:
    doc["late"] = False


def _hide_collector_reads(doc: dict[str, Any]) -> None:
    doc["items"] = [
        e
        for e in doc.get("items", [])
        if not (e.get("actor", {}).get("role") == "collector" and e.get("action") == "read")
    ]


#: Level-2 runs leave out OP-05, which fails while the reference's getCapabilities claims level 1 only.
_LEVEL2 = frozenset(i.id for i in load_catalogue().active()) - {"OP-05"}

_EMPTY_PAGE: dict[str, object] = {"items": [], "next_cursor": None}

mutant(
    "ds_attempts_without_auth",
    {"DS-01"},
    wrap=_answer_instead(
        "GET",
        "/icss/v1/contact-attempts",
        lambda s: _role(s) is None and not any(k.lower() == b"authorization" for k, _ in s["headers"]),
        _EMPTY_PAGE,
    ),
    note="listContactAttempts answers a request without credentials",
)
mutant(
    "ds_collector_lists_complaints",
    {"DS-02"},
    wrap=_answer_instead("GET", "/icss/v1/complaints", lambda s: _role(s) == "collector", _EMPTY_PAGE),
    note="listComplaints admits the collector role",
)
mutant(
    "ds_debtor_scope_ignored",
    {"DS-03"},
    faults={"ds_debtor_scope_ignored"},
    note="a debtor credential reaches another debtor's record",
)
mutant(
    "ds_keeps_undefined_fields",
    {"DS-04"},
    level=2,
    only=_LEVEL2,
    wrap=_strip_request_fields(
        "/icss/v1/debtors", {"address_book", "social_media_accounts", "religion", "ethnic_origin"}
    ),
    note="createDebtor accepts undefined personal-data fields instead of rejecting them",
)
mutant("ds_list_unmasked", {"DS-05"}, faults={"ds_list_unmasked"}, note="listDebtors shows personal data in clear")
mutant(
    "ds_404_echoes_identifier",
    {"DS-06"},
    wrap=_echo_path_in_404,
    note="a 404 of getDebtor repeats the identifier (here a telephone number) in its detail",
)
mutant(
    "ds_data_requests_never_late",
    {"DS-09"},
    wrap=rewrite_responses(r"/icss/v1/me/data-requests/[^/]+", _json(_not_late)),
    note="getDataRequest never flags an overdue request",
)
mutant(
    "ds_incidents_never_overdue",
    {"DS-10"},
    level=2,
    only=_LEVEL2,
    wrap=rewrite_responses(r"/icss/v1/incidents/[^/]+", _json(_not_late)),
    note="getIncident never flags an incident overdue",
)
mutant(
    "ds_breach_hours_wrong",
    {"DS-10"},
    level=2,
    only=_LEVEL2,
    faults={"ds_breach_hours_wrong"},
    note="an incident's due_at is a day later than breach_notification_hours allows",
)


def _notice_dropped(doc: dict[str, Any]) -> None:
    doc["subjects_notice"] = None


mutant(
    "ds_breach_notice_dropped",
    {"DS-10"},
    level=2,
    only=_LEVEL2,
    wrap=rewrite_responses(r"/icss/v1/incidents/[^/]+", _json(_notice_dropped)),
    note="getIncident does not show the notice recorded as sent to individuals",
)
mutant(
    "ds_audit_hides_reads",
    {"DS-11"},
    wrap=rewrite_responses("/icss/v1/audit/events", _json(_hide_collector_reads)),
    note="getAuditLog leaves out collectors' reads of personal data",
)
mutant(
    "ds_biometrics_accepted",
    {"DS-12"},
    level=2,
    only=_LEVEL2,
    wrap=_strip_request_fields("/icss/v1/debtors", {"voiceprint", "biometrics"}),
    note="createDebtor accepts voiceprints instead of rejecting them",
)

mutant(
    "ds_erasure_keeps_contact_points",
    {"DS-08"},
    level=2,
    only={"DS-08", "DS-09"},
    faults={"ds_erasure_keeps_contact_points"},
    note="an erasure leaves the debtor's phone, e-mail and address in place",
)
