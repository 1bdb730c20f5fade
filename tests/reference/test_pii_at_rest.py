"""Personal data is encrypted at rest and never logged.

After debtors are created and used with canary personal data, neither the raw database (the SQLite
file with its write-ahead log, or every row of every PostgreSQL table) nor the log output holds any
canary value in clear.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from icss.reference._tables import Base

CANARIES = {
    "name": "Quentin Canarywhite",
    "national_id": "QZ-CANARY-918273",
    "phone": "+12125559876",
    "email": "quentin.canarywhite@example.org",
    "street": "42 Canarywhite Lane",
    "dob": "1961-02-03",
    "account": "CANARYACCT55501234",
    "attorney": "Portia Canarybrief",
    "complaint": "canarycomplaint text about my neighbour",
    "dispute": "canarydispute text about my salary",
    "data_request": "canaryrequest please forget my sister",
    "owner_name": "Ursula Canarythird",
    "message": "Canarymessage: please call Quentin back about the balance",
    "correction": "Quentin Canarycorrected",
    "mediation": "canarymediation summary about my cousin",
    "write_off": "canarywriteoff reason naming the heir",
    "income": "98765.43",
    "question": "canaryquestion why is my score so low",
    "review_statement": "canaryreview my brother pays my rent",
    "review_notes": "canarynotes payslips checked with the employer",
}


def _scenario(sandbox: Any) -> None:
    """Create, read, contact and complain, as every role, with the canary values."""
    points = [
        {"kind": "phone", "value": CANARIES["phone"], "owner": "debtor", "relationship": "self",
         "is_workplace": False, "timezone": "America/New_York", "sms_capable": True, "phone_type": "mobile"},
        {"kind": "email", "value": CANARIES["email"], "owner": "debtor", "relationship": "self",
         "is_workplace": False, "timezone": "America/New_York"},
        {"kind": "address", "address": {"lines": [CANARIES["street"]], "country": "US"}, "owner": "debtor",
         "relationship": "self", "is_workplace": False, "timezone": "America/New_York"},
        {"kind": "phone", "value": "+12125550000", "owner": "third_party", "relationship": "parent",
         "owner_name": CANARIES["owner_name"], "is_workplace": False, "timezone": "America/New_York"},
    ]  # fmt: skip
    body = {"name": CANARIES["name"], "national_id": CANARIES["national_id"], "date_of_birth": CANARIES["dob"],
            "profile": "us", "timezones": ["America/New_York"], "language": "en", "contact_points": points}  # fmt: skip
    created = sandbox.call("POST", "/debtors", "supervisor", json=body)  # the reply holds the values in clear
    assert created.status_code == 201, created.text
    debtor = created.json()
    me = sandbox.token(**debtor["debtor_credentials"])
    debt = sandbox.call(
        "POST",
        "/debts",
        "supervisor",
        json={"debtor_id": debtor["id"], "creditor": {"name": "Bank"}, "account_number": CANARIES["account"],
              "currency": "USD", "profile": "us",
              "itemization": {"itemization_date": "2020-01-01", "itemization_date_basis": "charge_off",
                              "amount_on_itemization_date": "10.00", "interest": "0.00", "fees": "0.00",
                              "payments": "0.00", "credits": "0.00", "current_amount": "10.00"}},
    ).json()  # fmt: skip
    # What a collector writes is stored (attempt and outbox) and read back, never in clear at rest.
    email = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "email")
    sent = sandbox.call(
        "POST",
        "/contact-attempts",
        json={"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "contact_point_id": email, "channel": "email",
              "purpose": "collection", "content": CANARIES["message"]},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    assert CANARIES["message"] in sent.json()["content"]
    listed = sandbox.call("GET", "/contact-attempts", params={"debtor_id": debtor["id"]})
    assert any(CANARIES["message"] in (a.get("content") or "") for a in listed.json()["items"]), listed.text
    assert any(
        CANARIES["message"] in m["content"] for m in sandbox.call("GET", "/sandbox/outbox", "admin").json()["items"]
    )
    for role in ("collector", "supervisor", "auditor", "admin"):
        sandbox.call("GET", f"/debtors/{debtor['id']}", role)
        sandbox.call("GET", "/debtors", role)
    sandbox.call(
        "POST",
        f"/debtors/{debtor['id']}/events",
        json={"type": "attorney_representation", "source": "attorney",
              "details": {"attorney_name": CANARIES["attorney"]}},
    )  # fmt: skip
    sandbox.call(
        "POST", "/me/complaints", headers=me, json={"category": "privacy", "description": CANARIES["complaint"]}
    )
    sandbox.call(
        "POST",
        "/me/disputes",
        headers=me,
        json={"debt_id": debt["id"], "reason": "other", "description": CANARIES["dispute"]},
    )
    sandbox.call(
        "POST", "/me/data-requests", headers=me, json={"type": "erasure", "description": CANARIES["data_request"]}
    )
    sandbox.call(
        "POST",
        "/me/data-requests",
        headers=me,
        json={"type": "rectification", "rectification": [{"pointer": "/name", "value": CANARIES["correction"]}]},
    )
    # Automated decisions: the financial inputs, the debtor's question and statement, the reviewer's notes.
    decision = sandbox.call(
        "POST",
        "/assessments/repayment-capacity",
        json={"debtor_id": debtor["id"], "currency": "USD",
              "features": {"monthly_income": CANARIES["income"], "monthly_debt_service": "100.00"}},
    ).json()["decision_id"]  # fmt: skip
    for path, role, headers, payload in (
        ("explanation-requests", "debtor", me, {"question": CANARIES["question"]}),
        ("human-review-requests", "debtor", me, {"statement": CANARIES["review_statement"]}),
        ("human-review-outcomes", "supervisor", {}, {"outcome": "upheld", "notes": CANARIES["review_notes"]}),
    ):
        answer = sandbox.call("POST", f"/decisions/{decision}/{path}", role, headers=headers, json=payload)
        assert answer.status_code == 201, answer.text
    sandbox.call("GET", f"/decisions/{decision}", "auditor")
    sandbox.call("GET", "/me/export", headers=me)
    sandbox.call("GET", f"/debts/{debt['id']}/validation-notice", "supervisor")
    # Free texts of the interop section: a summary for the mediator and a write-off's reason.
    consent = sandbox.call(
        "POST",
        f"/debtors/{debtor['id']}/events",
        json={"type": "consent_given", "source": "debtor", "details": {"purpose": "mediation"}},
    ).json()
    mediation = sandbox.call(
        "POST",
        "/mediation-cases",
        "supervisor",
        json={"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "consent_event_id": consent["id"],
              "mediator": {"organisation": "Committee"}, "data_shared": ["debtor_name"],
              "summary": CANARIES["mediation"]},
    )  # fmt: skip
    assert mediation.status_code == 201, mediation.text
    write_off = sandbox.call(
        "POST",
        "/write-offs",
        "supervisor",
        json={"debt_id": debt["id"], "disposal_status": "03", "amount": "10.00", "currency": "USD",
              "reason": CANARIES["write_off"]},
    )  # fmt: skip
    assert write_off.status_code == 201, write_off.text
    # Failing requests that carry personal data: neither the answer nor a log may repeat it.
    sandbox.call("POST", "/debtors", json={**body, "timezones": ["Nowhere/Never"]})
    sandbox.call("POST", "/debtors", json={**body, "unexpected": CANARIES["name"]})
    sandbox.call(
        "POST",
        "/debtors",
        content=b'{"name": "' + CANARIES["name"].encode() + b'"',
        headers={"Content-Type": "application/json"},
    )
    sandbox.call("GET", f"/debtors/{CANARIES['national_id']}")


def _found(blob: str) -> list[str]:
    lowered = blob.lower()
    return [key for key, value in CANARIES.items() if value.lower() in lowered]


def _database_text(app_client: Any, backend: Any) -> str:
    engine = app_client.app.state.ctx.db.engine
    if engine.dialect.name == "sqlite":
        db = Path(engine.url.database)
        with engine.connect() as conn:  # the rows are committed; read what is on disk, WAL included
            conn.exec_driver_sql("SELECT 1")
        return "".join(p.read_bytes().decode("utf-8", "replace") for p in db.parent.glob(db.name + "*") if p.is_file())
    parts = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(text(f'SELECT CAST(t AS text) FROM "{table.name}" t')).scalars()  # noqa: S608
            parts.extend(rows)
    return "\n".join(parts)


def test_no_personal_data_in_clear_at_rest_or_in_logs(
    app_client: Any, backend: Any, sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("icss", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", ""):
        caplog.set_level(logging.DEBUG, logger=name)
    _scenario(sandbox)
    stored = _database_text(app_client, backend)
    assert "v1:" in stored  # sealed values are there, as ciphertext
    assert not _found(stored), f"in clear at rest: {_found(stored)}"
    # The service's loggers (the test client's own httpx lines show the URLs it requested).
    service = [r for r in caplog.records if r.name.split(".")[0] in ("icss", "uvicorn", "sqlalchemy", "root")]
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in service)
    assert any(r.name.startswith("sqlalchemy") for r in service)  # the capture did see the service work
    assert not _found(logged), [line for line in logged.splitlines() if "CANARY" in line.upper()][:3]


def test_an_unexpected_error_logs_no_values(
    app_client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug (here planted) answers a bare 500 problem; the log names the failure, not its message."""
    from icss.reference._handlers import operations

    def broken(_name: str) -> str:
        raise ValueError(f"cannot handle {CANARIES['national_id']}")

    monkeypatch.setattr(operations, "dist_version", broken)
    caplog.set_level(logging.DEBUG)
    response = app_client.get("/icss/v1/version")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert CANARIES["national_id"] not in response.text
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "ValueError" in logged
    assert CANARIES["national_id"] not in logged
