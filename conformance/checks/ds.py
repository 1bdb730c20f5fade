"""Data protection and security (DS): authentication and roles on every operation, isolation between
debtors, data minimisation, masking, personal data kept out of errors and URLs, data-subject request
and breach deadlines, the audit log and separate consent for sensitive data.

The personal data the checks submit are canaries (unique markers); a check fails wherever a canary
shows up where personal data must not. Operations are read from spec/openapi.yaml, so a check of
"every operation" follows the interface as it grows.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from dateutil.relativedelta import relativedelta

from icss.spec import once, openapi_document

from .._context import CheckContext
from .._registry import check
from ._support import contact_body, parse_ts, problem_document, utc_iso, validate_against

_METHODS = ("get", "put", "post", "delete", "patch")
_ROLES = ("collector", "supervisor", "auditor", "admin")
#: A syntactically valid identifier that names nothing: enough to reach authentication.
_DUMMY_ID = "x0000000000000000"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


@once
def _operations() -> tuple[tuple[str, str, str, bool, frozenset[str]], ...]:
    """(operationId, method, path, public, roles) of every operation of spec/openapi.yaml."""
    doc = openapi_document()
    found = []
    for path, item in doc["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if op:
                public = op.get("security", doc.get("security")) == []
                found.append((op["operationId"], method.upper(), path, public, frozenset(op.get("x-icss-roles", ()))))
    return tuple(found)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", _DUMMY_ID, path)


def _debtor(ctx: CheckContext) -> dict[str, Any]:
    """A new debtor plus ``pii``: the personal-data values the harness submitted for it, in clear."""
    debtor = ctx.new_debtor()
    name = next(c for c in reversed(ctx.canaries) if c.startswith("Canary Name "))
    national_id = next(c for c in reversed(ctx.canaries) if c.startswith("ID"))
    phone = next(str(p["value"]) for p in debtor["contact_points"] if p["kind"] == "phone")
    email = next(c for c in reversed(ctx.canaries) if c.startswith("mail")).lower() + "@example.com"
    debtor.update(
        pii=[name, national_id, ctx.canaries[-5], email],
        clear_name=name,
        national_id_clear=national_id,
        email_clear=email,
        phone_clear=ctx.canaries[-5] if "*" in phone else phone,
    )
    return debtor


def _leaks(text: str, values: list[str]) -> list[str]:
    """The values found in ``text`` in clear or base64-encoded."""
    found = []
    for value in values:
        encoded = base64.b64encode(value.encode()).decode().rstrip("=")
        url_safe = base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")
        if value in text or quote(value, safe="") in text or encoded[:-2] in text or url_safe[:-2] in text:
            found.append(value)
    return found


# -- DS-01 / DS-02 ---------------------------------------------------------------------------------


@check("DS-01")
def authentication_on_every_operation(ctx: CheckContext) -> None:
    """Every operation the OpenAPI document does not declare public answers a request without credentials, with a
    malformed token and with a token the service did not issue with 401, a WWW-Authenticate header and a problem
    document."""
    forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.c2lnbmF0dXJl"
    for operation_id, method, path, public, _roles in _operations():
        if public:
            continue
        for label, token in (
            ("no credentials", None),
            ("a malformed token", "not a token"),
            ("a forged token", forged),
        ):
            response = ctx.request(method, _concrete(path), None, token=token, json={} if method != "GET" else None)
            ctx.require(
                response.status_code == 401,
                f"{operation_id} ({method} {path}) with {label} answered {response.status_code}, not 401",
            )
            ctx.require(
                "www-authenticate" in response.headers, f"{operation_id} answered 401 without a WWW-Authenticate header"
            )
            problem_document(ctx, response)


@check("DS-02")
def roles_enforced(ctx: CheckContext) -> None:
    """Every operation answers a valid token of a role the OpenAPI document does not list for it with 403 and a
    problem document — a collector calling respondToComplaint or getAuditLog, a debtor calling listDebtors."""
    debtor = ctx.new_debtor()
    for operation_id, method, path, public, roles in _operations():
        if public or not roles:
            continue
        outsider = next((r for r in _ROLES if r not in roles), None)
        token = None
        if outsider is None and "debtor" not in roles:
            outsider, token = "debtor", debtor["token"]
        if outsider is None:
            continue  # every role is admitted
        response = ctx.request(method, _concrete(path), outsider, token=token, json={} if method != "GET" else None)
        ctx.require(
            response.status_code == 403,
            f"{operation_id} ({method} {path}) called by the {outsider} role, which it does not admit, "
            f"answered {response.status_code}, not 403",
        )
        problem_document(ctx, response)
    for path in ("/debtors", "/debts"):
        response = ctx.request("GET", path, token=debtor["token"])
        ctx.require(
            response.status_code == 403, f"GET {path} with a debtor's credential answered {response.status_code}"
        )


# -- DS-03 -----------------------------------------------------------------------------------------


@check("DS-03")
def debtor_isolation(ctx: CheckContext) -> None:
    """With one debtor's credential, another debtor's debtor record, debt, evidence entry and receipt answer 403 or
    404 without any of that debtor's personal data, and getMyRecord returns only the caller's own record whatever
    debtor identifier is added to the query."""
    victim, intruder = _debtor(ctx), _debtor(ctx)
    debt = ctx.new_debt(victim)
    account = [c for c in ctx.canaries if c.startswith("ACCT")][-1]
    secrets = [*victim["pii"], account]
    paths = [f"/debtors/{victim['id']}", f"/debts/{debt['id']}", f"/debts/{debt['id']}/validation-notice"]
    if isinstance(debt.get("evidence_index"), int):
        paths += [f"/evidence/entries/{debt['evidence_index']}", f"/evidence/receipts/{debt['evidence_index']}"]
    for path in paths:
        response = ctx.request("GET", path, token=intruder["token"])
        ctx.require(
            response.status_code in (403, 404),
            f"GET {path} with another debtor's credential answered {response.status_code}, not 403 or 404",
        )
        problem_document(ctx, response)
        ctx.require(
            not _leaks(response.text, secrets), f"GET {path} refused another debtor but shows the owner's personal data"
        )
    record = ctx.expect(
        ctx.request("GET", "/me/record", token=intruder["token"], params={"debtor_id": victim["id"]}),
        200,
        400,
        what="getMyRecord with another debtor's id in the query",
    )
    ctx.require(
        record is None or record.get("debtor_id") in (None, intruder["id"]),
        "getMyRecord with another debtor's id in the query returns that debtor's record",
    )
    text = str(record)
    ctx.require(
        victim["id"] not in text and debt["id"] not in text and not _leaks(text, secrets),
        "getMyRecord with another debtor's id in the query includes that debtor's data",
    )


# -- DS-04 / DS-12 ---------------------------------------------------------------------------------


def _debtor_body(ctx: CheckContext, **extra: Any) -> dict[str, Any]:
    return {
        "name": ctx.canary("Canary Name "),
        "profile": ctx.profile.id,
        "timezones": [ctx.default_timezone],
        "contact_points": [],
        **extra,
    }


@check("DS-04")
def only_necessary_data(ctx: CheckContext) -> None:
    """createDebtor rejects with 422 any personal-data field the debtor schema does not define (address book,
    social-media accounts, religion, ethnic origin), getDebtor returns no field beyond the schema, and no
    operation takes in an address book or call history."""
    extras = {
        "address_book": [{"name": ctx.canary("Friend "), "phone": "+12125550123"}],
        "social_media_accounts": [ctx.canary("@handle")],
        "religion": ctx.canary("Faith "),
        "ethnic_origin": ctx.canary("Origin "),
    }
    for field, value in extras.items():
        response = ctx.request("POST", "/debtors", json=_debtor_body(ctx, **{field: value}))
        ctx.require(
            response.status_code == 422,
            f"createDebtor with an undefined personal-data field {field!r} answered {response.status_code}, not 422",
        )
        problem_document(ctx, response)
    debtor = ctx.new_debtor()
    for role in ("collector", "supervisor"):
        body = ctx.expect(ctx.request("GET", f"/debtors/{debtor['id']}", role), 200, what=f"getDebtor as {role}")
        validate_against(ctx, body, "debtor")
        known = {
            "id",
            "external_ref",
            "name",
            "national_id",
            "date_of_birth",
            "language",
            "profile",
            "timezones",
            "contact_points",
            "created_at",
            "updated_at",
            "pii_masked",
            "flags",
        }
        ctx.require(
            set(body) <= known, f"getDebtor returns fields beyond the debtor schema: {sorted(set(body) - known)}"
        )
    for operation_id, _method, path, _public, _roles in _operations():
        ctx.require(
            not re.search(r"address-?book|call-?history|contacts?-?(import|upload)", path + operation_id, re.I),
            f"{operation_id} ({path}) appears to take in a device address book or call history",
        )


@check("DS-12")
def sensitive_data_needs_separate_consent(ctx: CheckContext) -> None:
    """A consent_given event for sensitive data that names no purpose or bundles several purposes is rejected with
    422, a single-purpose one is accepted, and createDebtor rejects voiceprints or other biometric data with 422."""
    debtor = ctx.new_debtor()
    path = f"/debtors/{debtor['id']}/events"
    for label, details in (
        ("no purpose", {"form": "written"}),
        ("bundled purposes", {"purpose": ["sensitive_data", "ai_voice"], "form": "written"}),
    ):
        response = ctx.request("POST", path, json={"type": "consent_given", "source": "debtor", "details": details})
        ctx.require(
            response.status_code == 422,
            f"a consent_given event for sensitive data with {label} answered {response.status_code}, not 422",
        )
        problem_document(ctx, response)
    single = ctx.request(
        "POST",
        path,
        json={"type": "consent_given", "source": "debtor", "details": {"purpose": "sensitive_data", "form": "written"}},
    )
    ctx.expect(single, 201, what="a separate, single-purpose consent_given for sensitive data")
    for field in ("voiceprint", "biometrics"):
        response = ctx.request("POST", "/debtors", json=_debtor_body(ctx, **{field: ctx.canary("VOICE")}))
        ctx.require(
            response.status_code == 422, f"createDebtor with {field!r} data answered {response.status_code}, not 422"
        )
        problem_document(ctx, response)


# -- DS-05 / DS-06 ---------------------------------------------------------------------------------


def _masked_ok(shown: str, clear: str, kind: str) -> bool:
    """Whether ``shown`` reveals no more of ``clear`` than DS-05 allows."""
    if shown == clear:
        return False
    if kind == "email":
        local = shown.partition("@")[0]
        return len(re.sub(r"[*•·xX]", "", local)) <= 1
    visible = re.sub(r"[^0-9A-Za-z]", "", re.sub(r"[*•·]", "", shown))
    tail = re.sub(r"[^0-9A-Za-z]", "", clear)
    # A telephone number may keep its country code: only the digits after it count.
    if kind == "phone" and shown.startswith("+"):
        code = re.match(r"\+\d{1,3}", shown)
        visible = visible[len(code.group(0)) - 1 :] if code else visible
    return len(visible) <= 4 and tail.endswith(visible)


def _check_masked(ctx: CheckContext, where: str, doc: Any, debtor: dict[str, Any]) -> None:
    text = str(doc)
    for value in (debtor["national_id_clear"], debtor["phone_clear"], debtor["email_clear"]):
        ctx.require(value not in text, f"{where} shows a national id, telephone number or e-mail address in full")
    if not isinstance(doc, dict) or "contact_points" not in doc:
        return
    if doc.get("national_id"):
        ctx.require(
            _masked_ok(str(doc["national_id"]), debtor["national_id_clear"], "id"),
            f"{where} shows national_id {doc['national_id']!r}: more than its last four characters in clear",
        )
    for point in doc["contact_points"]:
        if point.get("kind") in ("phone", "email"):
            clear = debtor["phone_clear"] if point["kind"] == "phone" else debtor["email_clear"]
            ctx.require(
                _masked_ok(str(point.get("value", "")), clear, point["kind"]),
                f"{where} shows the {point['kind']} {point.get('value')!r} with more than DS-05 allows in clear",
            )


@check("DS-05")
def identifiers_masked(ctx: CheckContext) -> None:
    """getDebtor for collectors, listDebtors for every role and getAuditLog show national ids and telephone numbers
    only by their last four characters and e-mail addresses only by the first character and the domain."""
    debtor = _debtor(ctx)
    ctx.new_debt(debtor)
    got = ctx.expect(ctx.request("GET", f"/debtors/{debtor['id']}", "collector"), 200, what="getDebtor as collector")
    _check_masked(ctx, "getDebtor for the collector role", got, debtor)
    for role in ("collector", "supervisor", "auditor", "admin"):
        page = ctx.expect(ctx.request("GET", "/debtors", role), 200, what=f"listDebtors as {role}")
        mine = [d for d in page.get("items", []) if d.get("id") == debtor["id"]]
        ctx.require(bool(mine), f"listDebtors as {role} does not list the debtor just created")
        _check_masked(ctx, f"listDebtors for the {role} role", mine[0], debtor)
    log = ctx.expect(ctx.request("GET", "/audit/events", "auditor", params={"limit": 200}), 200, what="getAuditLog")
    _check_masked(ctx, "getAuditLog", log, debtor)


#: Parameter names that would carry personal data in a URL.
_PII_PARAMETER = re.compile(r"phone|e-?mail|national|name$|^name|address|birth|account_number", re.IGNORECASE)


@check("DS-06")
def no_personal_data_in_errors_or_urls(ctx: CheckContext) -> None:
    """Error responses never echo personal data sent with the request, Location headers, cursors and receipt URLs
    carry no personal data (in clear or base64), no operation takes personal data in its path or query, and
    getAuditLog shows none in clear."""
    debtor = _debtor(ctx)
    secrets = list(debtor["pii"])
    bad = _debtor_body(ctx, timezones=["Not/AZone"], national_id=ctx.canary("ID"))
    response = ctx.request("POST", "/debtors", json=bad)
    ctx.require(
        400 <= response.status_code < 500, f"createDebtor with an invalid time zone answered {response.status_code}"
    )
    problem_document(ctx, response)
    ctx.require(
        not _leaks(response.text, [bad["name"], bad["national_id"]]),
        "a 4xx response echoes personal data of the request",
    )
    for value in (debtor["phone_clear"], debtor["national_id_clear"]):
        response = ctx.request("GET", f"/debtors/{value}")
        ctx.require(
            response.status_code in (400, 404), f"GET /debtors/<a telephone number> answered {response.status_code}"
        )
        problem_document(ctx, response)
        ctx.require(not _leaks(response.text, [value]), "a 404 response echoes the personal data given in its path")
    created = ctx.request("POST", "/debtors", json=_debtor_body(ctx))
    ctx.expect(created, 201, what="createDebtor")
    ctx.require(
        not _leaks(created.headers.get("location", ""), [*secrets, ctx.canaries[-1]]),
        "the Location header of createDebtor carries personal data",
    )
    page = ctx.expect(ctx.request("GET", "/debtors", params={"limit": 1}), 200, what="listDebtors")
    cursor = str(page.get("next_cursor") or "")
    ctx.require(not _leaks(cursor, secrets), "the pagination cursor of listDebtors carries personal data")
    record = ctx.expect(ctx.request("GET", "/me/record", token=debtor["token"]), 200, what="getMyRecord")
    urls = re.findall(r"'receipt_url': '([^']*)'", str(record))
    ctx.require(not any(_leaks(u, secrets) for u in urls), "a receipt URL carries personal data")
    log = ctx.expect(ctx.request("GET", "/audit/events", "auditor", params={"limit": 200}), 200, what="getAuditLog")
    ctx.require(not _leaks(str(log), secrets), "getAuditLog shows personal data in clear")
    doc = openapi_document()
    for path, item in doc["paths"].items():
        ctx.require(not _PII_PARAMETER.search(path), f"the path {path} takes personal data")
        for method in _METHODS:
            for param in [*item.get("parameters", []), *(item.get(method) or {}).get("parameters", [])]:
                name = str(param.get("name", ""))
                ctx.require(
                    param.get("in") not in ("query", "path") or not _PII_PARAMETER.search(name),
                    f"{path} takes the personal-data parameter {name!r} in its URL",
                )


# -- DS-09 / DS-10 ---------------------------------------------------------------------------------


def _plus(moment: datetime, duration: str) -> datetime:
    """``moment`` + an ISO 8601 date duration in calendar arithmetic (P1M from 31 January is 28 February)."""
    match = _DURATION.match(duration)
    if match is None:
        raise ValueError(f"cannot read the duration {duration!r}")
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return moment + relativedelta(years=years, months=months, weeks=weeks, days=days)


@check("DS-09")
def data_request_deadlines(ctx: CheckContext) -> None:
    """createDataRequest returns due_at = received_at + data_request_response in calendar arithmetic (with P1M,
    31 January is due 28 February); an access request reaches a final status by due_at; a request unanswered when
    the clock passes due_at is flagged late; an extension stays within data_request_extension."""
    response_period, extension = str(ctx.param("data_request_response")), str(ctx.param("data_request_extension"))
    ctx.set_clock("2027-01-31T10:00:00Z")
    debtor = ctx.new_debtor()
    created = []
    for kind in ("access", "rectification"):
        body = {"type": kind, "description": "Please send me my data." if kind == "access" else "Correct my address."}
        doc = ctx.expect(
            ctx.request("POST", "/me/data-requests", token=debtor["token"], json=body),
            201,
            what=f"createDataRequest {kind}",
        )
        validate_against(ctx, doc, "data-request")
        due = _plus(parse_ts(doc["received_at"]), response_period)
        ctx.require(
            parse_ts(doc["due_at"]) == due,
            f"due_at of a request received {doc['received_at']} is {doc['due_at']}; "
            f"expected received_at + {response_period} = {due.isoformat()}",
        )
        created.append(doc)
    access, pending = created
    ctx.advance_clock("PT1H")
    shown = ctx.expect(
        ctx.request("GET", f"/me/data-requests/{access['id']}", token=debtor["token"]), 200, what="getDataRequest"
    )
    if shown["status"] in ("responded", "closed", "refused"):
        ctx.require(
            shown.get("responded_at") is not None and parse_ts(shown["responded_at"]) <= parse_ts(shown["due_at"]),
            "an access request in a final status has no responded_at within due_at",
        )
        ctx.require(
            shown["status"] != "refused" or bool(shown.get("refusal_reason")),
            "an access request was refused without stating the reasons",
        )
    ctx.advance_clock(f"{response_period}T1H" if "T" not in response_period else response_period)
    ctx.advance_clock("P1D")
    later = ctx.expect(
        ctx.request("GET", f"/me/data-requests/{pending['id']}", token=debtor["token"]), 200, what="getDataRequest"
    )
    validate_against(ctx, later, "data-request")
    ext = later.get("extension")
    if ext:
        ctx.require(extension not in ("P0D", "PT0S"), "a request was extended although the profile allows no extension")
        ctx.require(
            parse_ts(ext["notified_at"]) <= parse_ts(pending["due_at"]),
            "the extension was notified after the original due_at",
        )
        ctx.require(
            parse_ts(ext["new_due_at"]) <= _plus(parse_ts(pending["due_at"]), extension),
            f"the extended due_at {ext['new_due_at']} is later than the original due_at + {extension}",
        )
    final = later["status"] in ("responded", "closed", "refused")
    on_time = (
        final
        and later.get("responded_at") is not None
        and parse_ts(later["responded_at"]) <= parse_ts((ext or {}).get("new_due_at") or later["due_at"])
    )
    ctx.require(
        on_time or later.get("late") is True,
        f"a data request still {later['status']!r} after its due_at passed is not flagged late",
    )


#: A notice to individuals with every element DS-10 names (PIPL 第五十七条); it names no one.
_BREACH_NOTICE = {
    "data_categories": ["contact_details"],
    "cause": "A test breach for the harness: a message went to the wrong recipient.",
    "possible_harm": "The recipient may have learnt of the debt.",
    "remedial_measures": "The message was recalled and the recipient asked to delete it.",
    "individual_measures": "Be wary of messages that quote the debt and ask for payment to a new account.",
    "contact_point": "Data protection office of the harness tenant",
}
_NOTIFICATIONS = ("authority_notified_at", "subjects_notified_at", "subjects_notice")


@check("DS-10")
def breach_notification_deadline(ctx: CheckContext) -> None:
    """reportIncident records detected_at; getIncident shows due_at = detected_at + breach_notification_hours,
    authority_notified_at, subjects_notified_at and subjects_notice (null until recorded), and late. Two incidents
    are reported an hour after detection: recordIncidentNotification records, for one, the authority notification and
    a notice to individuals with every required element, and getIncident shows them; a notification time before
    detected_at is refused with 422 and a problem document. Once the test clock passes due_at, the incident with no
    authority notification is late and the one notified in time is not."""
    hours = int(ctx.param("breach_notification_hours"))
    now = parse_ts(ctx.expect(ctx.request("GET", "/sandbox/clock", "admin"), 200, what="getTestClock")["now"])
    # Detected an hour ago, so that advancing the clock by the allowed hours passes due_at by an hour.
    detected = now - timedelta(hours=1)
    body = {
        "detected_at": utc_iso(detected),
        "kind": "confidentiality",
        "description": "A test breach for the harness.",
        "data_categories": ["contact_details"],
        "affected_subjects_estimate": 1,
    }
    due = detected + timedelta(hours=hours)
    silent = ctx.expect(ctx.request("POST", "/incidents", "supervisor", json=body), 201, what="reportIncident")
    validate_against(ctx, silent, "incident")
    notified = ctx.expect(ctx.request("POST", "/incidents", "supervisor", json=body), 201, what="reportIncident")
    shown = ctx.expect(ctx.request("GET", f"/incidents/{silent['id']}", "auditor"), 200, what="getIncident")
    validate_against(ctx, shown, "incident")
    ctx.require(
        "due_at" in shown and parse_ts(shown["due_at"]) == due,
        f"getIncident shows due_at {shown.get('due_at')}; expected detected_at + {hours} h = {utc_iso(due)}",
    )
    ctx.require(parse_ts(shown["detected_at"]) == detected, "getIncident does not show the detected_at reported")
    ctx.require(shown.get("late") is False, "a new incident within its notification deadline is flagged late")
    for name in _NOTIFICATIONS:
        ctx.require(shown.get(name) is None, f"getIncident shows {name} {shown.get(name)!r} before any notification")

    path = f"/incidents/{notified['id']}/notifications"
    early = ctx.request(
        "POST",
        path,
        "supervisor",
        json={"recipient": "authority", "notified_at": utc_iso(detected - timedelta(hours=1))},
    )
    ctx.require(
        early.status_code == 422,
        f"recordIncidentNotification answered {early.status_code}, not 422, to a notification before detected_at",
    )
    problem_document(ctx, early)
    authority_at, subjects_at = utc_iso(now - timedelta(minutes=30)), utc_iso(now)
    ctx.expect(
        ctx.request("POST", path, "supervisor", json={"recipient": "authority", "notified_at": authority_at}),
        200,
        what="recordIncidentNotification (authority)",
    )
    subjects = {"recipient": "subjects", "notified_at": subjects_at, "notice": _BREACH_NOTICE}
    ctx.expect(
        ctx.request("POST", path, "supervisor", json=subjects), 200, what="recordIncidentNotification (subjects)"
    )
    recorded = ctx.expect(ctx.request("GET", f"/incidents/{notified['id']}", "auditor"), 200, what="getIncident")
    validate_against(ctx, recorded, "incident")
    for name, sent in (("authority_notified_at", authority_at), ("subjects_notified_at", subjects_at)):
        ctx.require(
            recorded.get(name) is not None and parse_ts(recorded[name]) == parse_ts(sent),
            f"getIncident shows {name} {recorded.get(name)!r} after a notification at {sent} was recorded",
        )
    notice = recorded.get("subjects_notice")
    ctx.require(
        isinstance(notice, dict) and all(notice.get(k) == v for k, v in _BREACH_NOTICE.items()),
        f"getIncident does not show the notice sent to individuals as recorded: {str(notice)[:200]}",
    )

    ctx.advance_clock(f"PT{hours}H")
    after = ctx.expect(ctx.request("GET", f"/incidents/{silent['id']}", "auditor"), 200, what="getIncident")
    ctx.require(
        after.get("late") is True,
        f"the test clock passed due_at by an hour with no notification of the authority, and getIncident shows "
        f"late={after.get('late')!r}, not true",
    )
    in_time = ctx.expect(ctx.request("GET", f"/incidents/{notified['id']}", "auditor"), 200, what="getIncident")
    ctx.require(
        in_time.get("late") is False,
        f"an incident whose authority was notified before due_at shows late={in_time.get('late')!r} once due_at "
        f"has passed, not false",
    )


# -- DS-11 -----------------------------------------------------------------------------------------


def _entry(entries: list[dict[str, Any]], role: str, action: str, outcome: str, resource: str | None = None) -> bool:
    return any(
        e.get("actor", {}).get("role") == role
        and e.get("action") == action
        and e.get("outcome") == outcome
        and (resource is None or e.get("resource", {}).get("id") == resource)
        for e in entries
    )


@check("DS-11")
def audit_log_of_personal_data(ctx: CheckContext) -> None:
    """Reads and changes of personal data (createDebtor, getDebtor, updateDebtor, listDebtors, getDebt,
    getMyRecord, exportMyData, listOutbox) and refusals with 403 appear in getAuditLog at once with actor role,
    action, resource, outcome and an RFC 3339 timestamp; no operation alters or deletes audit entries."""
    debtor = _debtor(ctx)
    debt = ctx.new_debt(debtor)
    ctx.expect(ctx.request("GET", f"/debtors/{debtor['id']}"), 200, what="getDebtor")
    ctx.expect(ctx.request("GET", "/debtors"), 200, what="listDebtors")
    ctx.expect(ctx.request("GET", f"/debts/{debt['id']}"), 200, what="getDebt")
    ctx.expect(
        ctx.request(
            "PATCH",
            f"/debtors/{debtor['id']}",
            "supervisor",
            json={"language": "en"},
            headers={"Content-Type": "application/merge-patch+json"},
        ),
        200,
        what="updateDebtor",
    )
    refused = ctx.request(
        "PATCH",
        f"/debtors/{debtor['id']}",
        "collector",
        json={"language": "en"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    ctx.require(refused.status_code == 403, f"updateDebtor by a collector answered {refused.status_code}, not 403")
    ctx.expect(ctx.request("GET", "/me/record", token=debtor["token"]), 200, what="getMyRecord")
    ctx.expect(ctx.request("GET", "/me/export", token=debtor["token"]), 200, what="exportMyData")
    ctx.outbox()
    entries: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        page = ctx.expect(
            ctx.request(
                "GET", "/audit/events", "auditor", params={"limit": 200, **({"cursor": cursor} if cursor else {})}
            ),
            200,
            what="getAuditLog",
        )
        entries += page.get("items", [])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    for entry in entries:
        validate_against(ctx, entry, "audit-event")
        ctx.require(
            bool(_RFC3339.match(str(entry.get("at")))),
            f"audit entry time {entry.get('at')!r} is not RFC 3339 with offset",
        )
    wanted = [
        ("createDebtor", "collector", "create", "success", debtor["id"]),
        ("getDebtor", "collector", "read", "success", debtor["id"]),
        ("getDebt", "collector", "read", "success", debt["id"]),
        ("listDebtors", "collector", "read", "success", None),
        ("updateDebtor", "supervisor", "update", "success", debtor["id"]),
        ("updateDebtor refused with 403", "collector", "deny", "denied", debtor["id"]),
        ("getMyRecord", "debtor", "read", "success", None),
        ("exportMyData", "debtor", "export", "success", None),
        ("listOutbox", "admin", "read", "success", None),
    ]
    missing = [
        name for name, role, action, outcome, resource in wanted if not _entry(entries, role, action, outcome, resource)
    ]
    ctx.require(not missing, f"getAuditLog has no entry for: {', '.join(missing)}")
    for operation_id, method, path, _public, _roles in _operations():
        ctx.require(
            not (path.startswith("/audit") and method != "GET"),
            f"{operation_id} ({method} {path}) alters or deletes audit entries",
        )


# -- DS-08 ----------------------------------------------------------------------------------------


def _erasure_request(ctx: CheckContext, debtor: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = ctx.expect(
        ctx.request("POST", "/me/data-requests", token=debtor["token"], json={"type": "erasure"}),
        201,
        what="createDataRequest erasure",
    )
    return doc


def _resolve(ctx: CheckContext, request: dict[str, Any], status: str, **extra: Any) -> dict[str, Any]:
    """resolveDataRequest as a supervisor; the request must then be in ``status``, resolved by its due_at."""
    doc: dict[str, Any] = ctx.expect(
        ctx.request(
            "POST", f"/data-requests/{request['id']}/resolution", "supervisor", json={"status": status, **extra}
        ),
        200,
        what=f"resolveDataRequest {status}",
    )
    validate_against(ctx, doc, "data-request")
    erasure = doc.get("erasure") or {}
    ctx.require(erasure.get("status") == status, f"the erasure request reads {erasure.get('status')!r}, not {status}")
    ctx.require(
        parse_ts(erasure["resolved_at"]) <= parse_ts(doc["due_at"]),
        f"the erasure request was resolved at {erasure['resolved_at']}, after its due_at {doc['due_at']}",
    )
    return doc


def _shown(ctx: CheckContext, debtor: dict[str, Any]) -> str:
    """What getDebtor (as a supervisor, who sees data in clear), getMyRecord and exportMyData show."""
    texts = []
    for path, role, token in (
        (f"/debtors/{debtor['id']}", "supervisor", None),
        ("/me/record", None, debtor["token"]),
        ("/me/export", None, debtor["token"]),
    ):
        response = ctx.request("GET", path, role, token=token)
        # After erasure a service may also forget the debtor or its login: that shows nothing either.
        ctx.require(
            response.status_code in (200, 401, 403, 404), f"GET {path} answered {response.status_code} after erasure"
        )
        texts.append(response.text if response.status_code == 200 else "")
    return "\n".join(texts)


def _collection_call(ctx: CheckContext, debtor: dict[str, Any], debt: dict[str, Any]) -> dict[str, Any]:
    body = contact_body(debtor, debt, outcome="no_answer")
    doc: dict[str, Any] = ctx.expect(ctx.request("POST", "/contact-attempts", json=body), 201, what="a collection call")
    return doc


@check("DS-08")
def erasure_requests_bounded_by_retention(ctx: CheckContext) -> None:
    """An erasure request (createDataRequest, type erasure) resolved by its due_at through resolveDataRequest:
    completed for a debtor without collection activity, after which none of its personal data appear in getDebtor,
    getMyRecord or exportMyData; refused only with reasons; restricted for a debtor with a collection call,
    naming each retained record category with a legal basis and a retain_until no earlier than that call plus
    record_retention_years, with checkContact then denying with processing_restricted, and the data erased
    once the clock has passed retain_until."""
    years = int(ctx.param("record_retention_years"))
    ctx.set_clock(ctx.local_instant("2026-03-05", "11:00"))  # a Thursday morning where the debtor lives

    quiet = _debtor(ctx)
    ctx.require(quiet["clear_name"] in _shown(ctx, quiet), "getDebtor does not show the debtor's name to a supervisor")
    _resolve(ctx, _erasure_request(ctx, quiet), "completed")
    left = _leaks(_shown(ctx, quiet), quiet["pii"])
    ctx.require(
        not left, f"after a completed erasure, {len(left)} personal data value(s) still appear", severity="critical"
    )

    refused = _erasure_request(ctx, _debtor(ctx))
    without = ctx.request(
        "POST", f"/data-requests/{refused['id']}/resolution", "supervisor", json={"status": "refused"}
    )
    ctx.require(400 <= without.status_code < 500, f"a refusal without reasons answered {without.status_code}")
    problem_document(ctx, without)
    doc = _resolve(ctx, refused, "refused", reasons="The debt is still being collected.")
    ctx.require(bool(doc.get("refusal_reason") or doc["erasure"].get("reasons")), "a refusal states no reasons")

    kept = _debtor(ctx)
    debt = ctx.new_debt(kept)
    called = parse_ts(_collection_call(ctx, kept, debt)["at"])
    ctx.advance_clock("PT1H")
    doc = _resolve(ctx, _erasure_request(ctx, kept), "restricted")
    retained = doc["erasure"].get("retained") or []
    ctx.require(bool(retained), "a restricted erasure names no retained record category")
    floor = called + relativedelta(years=years)
    for record in retained:
        ctx.require(
            bool(record.get("legal_basis")), f"the retained category {record.get('category')} has no legal basis"
        )
        ctx.require(
            parse_ts(record["retain_until"]) >= floor,
            f"{record.get('category')} is kept until {record['retain_until']}, before the last collection activity "
            f"plus record_retention_years ({years}): {floor.isoformat()}",
        )
    decision = ctx.expect(
        ctx.request(
            "POST",
            "/contact-decisions",
            json={
                "debtor_id": kept["id"],
                "debt_ids": [debt["id"]],
                "contact_point_id": kept["phone_point"],
                "channel": "call",
                "purpose": "collection",
            },
        ),
        200,
        what="checkContact while restricted",
    )
    ctx.require(
        decision.get("decision") == "deny" and "processing_restricted" in (decision.get("reasons") or []),
        f"checkContact for a restricted debtor decides {decision.get('decision')} {decision.get('reasons')}, "
        "not deny with processing_restricted",
    )
    until = max(parse_ts(r["retain_until"]) for r in retained)
    ctx.set_clock(utc_iso(until + timedelta(days=1)))
    left = _leaks(_shown(ctx, kept), kept["pii"])
    ctx.require(not left, f"once retain_until has passed, {len(left)} personal data value(s) still appear")
