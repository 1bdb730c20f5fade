"""Audit log, statistics, incidents, health, version and capabilities (interface section 9)."""

from __future__ import annotations

from typing import Any

import pytest

BASE = "/icss/v1"


def _audit(sandbox: Any, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": "500", **({"cursor": cursor} if cursor else {})}
        page = sandbox.call("GET", "/audit/events", "auditor", params=query)
        assert page.status_code == 200, page.text
        items.extend(page.json()["items"])
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


def test_every_call_is_audited_without_personal_data(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    sandbox.call("GET", f"/debtors/{debtor['id']}", "supervisor")
    sandbox.call("GET", f"/debts/{debt['id']}", headers=debtor["headers"])
    sandbox.call("GET", "/debtors/dbr_does_not_exist", "collector")  # 404
    sandbox.call("POST", "/debts", json={"debtor_id": debtor["id"]})  # 422
    sandbox.call("GET", "/audit/events", "collector")  # 403
    events = _audit(sandbox)
    seen = {(e["request_id"], e["outcome"]) for e in events}
    for expected in [
        ("createDebtor", "success"),
        ("createDebt", "success"),
        ("getDebtor", "success"),
        ("getDebt", "success"),
        ("getDebtor", "error"),
        ("createDebt", "error"),
        ("getAuditLog", "denied"),
    ]:
        assert expected in seen, (expected, sorted(seen))
    debtor_read = next(e for e in events if e["request_id"] == "getDebt" and e["actor"]["role"] == "debtor")
    assert debtor_read["resource"] == {"type": "debt", "id": debt["id"]}
    pii_read = next(e for e in events if e["request_id"] == "getDebtor" and e["outcome"] == "success")
    assert pii_read["pii_accessed"] is True
    assert pii_read["action"] == "read"
    text = str(events)
    for value in ("Jane Canary-Doe", "CANARY-ID-0001", "+12125550123", "jane.canary@example.com", "4111000011112222"):
        assert value not in text


def test_audit_filters_and_tenancy(sandbox: Any, make_sandbox: Any) -> None:
    debtor = sandbox.debtor()
    by_resource = _audit(sandbox, resource_id=debtor["id"])
    assert by_resource
    assert all(e["resource"].get("id") == debtor["id"] for e in by_resource)
    by_role = _audit(sandbox, actor_role="collector")
    assert by_role
    assert all(e["actor"]["role"] == "collector" for e in by_role)
    assert _audit(sandbox, since="2999-01-01T00:00:00Z") == []
    other = make_sandbox("us", "2020-04-01T14:00:00Z")
    assert debtor["id"] not in str(_audit(other))


def test_complaint_and_contact_statistics(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    complaint = sandbox.call(
        "POST", "/me/complaints", headers=debtor["headers"], json={"category": "privacy", "description": "x"}
    ).json()
    answer = {"text": "Done.", "outcome": "upheld", "final": True}
    sandbox.call("POST", f"/complaints/{complaint['id']}/responses", "supervisor", json=answer)
    sandbox.call("POST", "/me/complaints", headers=debtor["headers"], json={"category": "other", "description": "y"})
    phone = debtor["contact_points"][0]["id"]
    body = {"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "contact_point_id": phone, "channel": "call",
            "purpose": "collection", "outcome": "conversation"}  # fmt: skip
    assert sandbox.call("POST", "/contact-attempts", json=body).status_code == 201
    assert sandbox.call("POST", "/contact-attempts", json=body).status_code == 409  # post-conversation block
    period = {"from": "2020-03-01T00:00:00Z", "to": "2020-05-01T00:00:00Z"}
    complaints = sandbox.call("GET", "/stats/complaints", "auditor", params=period).json()
    assert (complaints["received"], complaints["responded"], complaints["open"]) == (2, 1, 1)
    assert complaints["responded_on_time"] == 1
    assert complaints["late"] == 0
    assert complaints["by_category"] == {"privacy": 1, "other": 1}
    contacts = sandbox.call("GET", "/stats/contacts", "supervisor", params=period).json()
    assert contacts["attempts_by_channel"] == {"call": 1}
    assert contacts["decisions"] == {"allow": 1, "deny": 1}
    assert contacts["denials_by_reason"] == {"post_conversation_block": 1, "daily_connected_cap": 1}
    empty = sandbox.call("GET", "/stats/contacts", "auditor", params={"from": "2021-01-01T00:00:00Z",
                                                                      "to": "2021-02-01T00:00:00Z"}).json()  # fmt: skip
    assert empty["decisions"] == {"allow": 0, "deny": 0}
    backwards = sandbox.call("GET", "/stats/complaints", "auditor", params={"from": period["to"], "to": period["from"]})
    assert backwards.status_code == 400


@pytest.mark.parametrize(("profile", "hours"), [("us", 72), ("cn", 24), ("eu", 72)])
def test_incident_deadline_runs_from_detection(make_sandbox: Any, profile: str, hours: int) -> None:
    sb = make_sandbox(profile, "2026-03-03T12:00:00Z")
    report = {"detected_at": "2026-03-02T22:10:00Z", "kind": "confidentiality", "description": "Misdirected mail"}
    response = sb.call("POST", "/incidents", "supervisor", json=report)
    assert response.status_code == 201, response.text
    incident = response.json()
    due = {72: "2026-03-05T22:10:00Z", 24: "2026-03-03T22:10:00Z"}[hours]
    assert incident["due_at"] == due
    assert incident["late"] is False
    sb.set_clock("2026-03-06T00:00:00Z")
    fetched = sb.call("GET", f"/incidents/{incident['id']}", "auditor").json()
    assert fetched["late"] is True
    future = {**report, "detected_at": "2026-03-07T00:00:00Z"}
    assert sb.call("POST", "/incidents", "admin", json=future).status_code == 422


_NOTICE = {
    "data_categories": ["contact_details", "debt_details"],
    "cause": "An e-mail batch went to the wrong recipients.",
    "possible_harm": "Others may have learnt of the debt and its balance.",
    "remedial_measures": "The batch was stopped; recipients were asked to delete it.",
    "individual_measures": "Be wary of messages quoting your balance and asking for payment to a new account.",
    "contact_point": "Data protection office, privacy@example.org",
}


def test_incident_notifications_are_recorded(make_sandbox: Any) -> None:
    """DS-10: the authority and the individuals notified, with times and notice; late unless notified in time."""
    sb = make_sandbox("eu", "2026-03-03T12:00:00Z")
    report = {"detected_at": "2026-03-02T22:10:00Z", "kind": "confidentiality", "description": "Misdirected mail"}
    notified = sb.call("POST", "/incidents", "supervisor", json=report).json()
    silent = sb.call("POST", "/incidents", "supervisor", json=report).json()
    assert [notified[k] for k in ("authority_notified_at", "subjects_notified_at", "subjects_notice")] == [None] * 3
    path = f"/incidents/{notified['id']}/notifications"
    authority = {"recipient": "authority", "notified_at": "2026-03-03T09:00:00Z"}
    response = sb.call("POST", path, "supervisor", json=authority)
    assert response.status_code == 200, response.text
    assert response.json()["authority_notified_at"] == "2026-03-03T09:00:00Z"
    assert response.json()["status"] == "responded"
    subjects = {"recipient": "subjects", "notified_at": "2026-03-03T11:00:00+01:00", "notice": _NOTICE}
    shown = sb.call("POST", path, "admin", json=subjects).json()
    assert shown["subjects_notified_at"] == "2026-03-03T10:00:00Z"
    assert shown["subjects_notice"] == _NOTICE
    again = sb.call("POST", path, "supervisor", json=authority)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    sb.set_clock("2026-03-06T00:00:00Z")  # past due_at (2026-03-05T22:10Z)
    after = sb.call("GET", f"/incidents/{notified['id']}", "auditor").json()
    assert after["late"] is False
    assert after["subjects_notice"] == _NOTICE
    assert sb.call("GET", f"/incidents/{silent['id']}", "auditor").json()["late"] is True
    # Notified after due_at: recorded, and late stays true.
    late = sb.call(
        "POST",
        f"/incidents/{silent['id']}/notifications",
        "supervisor",
        json=authority | {"notified_at": "2026-03-05T23:00:00Z"},
    )
    assert late.status_code == 200, late.text
    assert late.json()["late"] is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"recipient": "authority", "notified_at": "2026-03-02T22:00:00Z"}, 422),  # before detected_at
        ({"recipient": "authority", "notified_at": "2026-03-03T12:00:01Z"}, 422),  # after the tenant clock
        ({"recipient": "subjects", "notified_at": "2026-03-03T09:00:00Z"}, 422),  # no notice
        ({"recipient": "authority", "notified_at": "2026-03-03T09:00:00Z", "notice": _NOTICE}, 422),
        (
            {"recipient": "subjects", "notified_at": "2026-03-03T09:00:00Z", "notice": _NOTICE | {"cause": ""}},
            422,
        ),
        ({"recipient": "press", "notified_at": "2026-03-03T09:00:00Z"}, 422),
        ({"recipient": "authority", "notified_at": "yesterday"}, 422),
    ],
)
def test_incident_notification_refuses_malformed_input(make_sandbox: Any, body: dict[str, Any], status: int) -> None:
    sb = make_sandbox("eu", "2026-03-03T12:00:00Z")
    report = {"detected_at": "2026-03-02T22:10:00Z", "kind": "confidentiality", "description": "Misdirected mail"}
    incident = sb.call("POST", "/incidents", "supervisor", json=report).json()
    response = sb.call("POST", f"/incidents/{incident['id']}/notifications", "supervisor", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    shown = sb.call("GET", f"/incidents/{incident['id']}", "auditor").json()
    assert shown["authority_notified_at"] is None
    assert shown["subjects_notified_at"] is None


def test_incident_notification_of_an_unknown_incident(sandbox: Any) -> None:
    body = {"recipient": "authority", "notified_at": "2026-01-01T00:00:00Z"}
    response = sandbox.call("POST", "/incidents/inc_unknown/notifications", "supervisor", json=body)
    assert response.status_code == 404
    assert sandbox.call("POST", "/incidents/inc_unknown/notifications", "collector", json=body).status_code == 403


def test_incident_is_not_a_complaint(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    complaint = sandbox.call(
        "POST", "/me/complaints", headers=debtor["headers"], json={"category": "privacy", "description": "x"}
    ).json()
    assert sandbox.call("GET", f"/incidents/{complaint['id']}", "auditor").status_code == 404


def test_health_version_capabilities(app_client: Any) -> None:
    health = app_client.get(f"{BASE}/health")
    assert health.status_code == 200
    assert health.json()["status"] == "pass"
    assert health.json()["checks"]["database"]["status"] == "pass"
    version = app_client.get(f"{BASE}/version").json()
    assert version["api_version"] == "v1"
    assert version["spec_version"] == "1.0.0"
    caps = app_client.get(f"{BASE}/capabilities").json()
    assert {"us", "cn", "eu"} <= set(caps["profiles"])
    assert "sandbox" in caps["features"]
    assert "evidence_log" in caps["features"]
    assert caps["limits"]["body_max_bytes"] == 1_000_000
    assert all(n["kind"] != "premium_rate" for n in caps["debtor_contact_numbers"])
    # DR-10: the languages messages to debtors are written in.
    assert caps["languages"] == ["zh", "en"]


def test_health_fails_with_the_database(tmp_path: Any) -> None:
    """An unreachable database: 503 and a problem document naming no host, no statement."""
    from fastapi.testclient import TestClient

    from icss.reference._app import create_app
    from icss.reference._config import Settings
    from icss.reference._db import Database
    from icss.spec import validator

    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        healthy = app.state.ctx.db
        app.state.ctx.db = Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=1")
        response = client.get(f"{BASE}/health")
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert not list(validator("problem.schema.json").iter_errors(response.json()))
        assert "127.0.0.1" not in response.text
        assert "nobody" not in response.text
        healthy.dispose()
