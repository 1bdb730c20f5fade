"""The target client keeps every exchange as evidence, and no excerpt ever shows a credential or a canary."""

from __future__ import annotations

import json

import httpx

from icss.conformance import Target
from icss.conformance._outcomes import Exchange


def _echo(request: httpx.Request) -> httpx.Response:
    sent = json.loads(request.content) if request.content else {}
    body = {"echo": sent, "access_token": "t0k3n-secret", "note": f"about {sent.get('name', '')}"}
    return httpx.Response(201, json=body)


def _target() -> Target:
    return Target(client=httpx.Client(transport=httpx.MockTransport(_echo), base_url="http://target.test"))


def test_excerpts_are_redacted_of_canaries_and_secrets() -> None:
    canaries = ["Canary Name 1A2B"]
    record: list[Exchange] = []
    _target().request(
        "POST",
        "/debtors",
        json_body={"name": "Canary Name 1A2B", "client_secret": "hunter2"},
        record=record,
        canaries=canaries,
    )
    (exchange,) = record
    doc = json.dumps(exchange.to_json())
    assert "Canary Name 1A2B" not in doc
    assert "hunter2" not in doc
    assert "t0k3n-secret" not in doc
    assert exchange.request_body == {"name": "[personal data]", "client_secret": "[redacted]"}
    assert exchange.response_body["note"] == "about [personal data]"
    assert exchange.response_body["access_token"] == "[redacted]"  # noqa: S105 - the redaction marker
    assert (exchange.method, exchange.path, exchange.status) == ("POST", "/debtors", 201)


def test_a_canary_made_after_the_request_is_redacted_too() -> None:
    """Bodies are redacted when first read, with the check's canaries as they are by then."""
    canaries: list[str] = []
    record: list[Exchange] = []
    _target().request("POST", "/debtors", json_body={"name": "Late Canary 9Z"}, record=record, canaries=canaries)
    canaries.append("Late Canary 9Z")
    assert "Late Canary 9Z" not in json.dumps(record[0].to_json())


def test_an_exchange_given_its_bodies_keeps_them() -> None:
    exchange = Exchange("GET", "/health", 200, None, {"status": "pass"}, 1.5)
    assert exchange.to_json() == {
        "method": "GET",
        "path": "/health",
        "status": 200,
        "elapsed_ms": 1.5,
        "response_body": {"status": "pass"},
    }
