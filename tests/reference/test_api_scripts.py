"""The script-check operations over HTTP and the streamScriptChecks WebSocket (SC-01..SC-13).

Every HTTP response is validated against the OpenAPI document by the ContractClient; WebSocket
frames are validated here against script-check-result.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from icss.reference._handlers.scripts import STREAM_PATH, SUBPROTOCOL, install_stream
from icss.spec import validator

# Fixtures come from tests/reference/conftest.py (not importable by name: several conftest modules exist).
BASE = "/icss/v1"
ContractClient = Any
Sandbox = Any

THREAT = {
    "text": "If you don't pay today we will send the police to your office.",
    "language": "en",
    "speaker_role": "collector",
    "context": {"profile": "us", "listener_is_debtor": True},
    "client_ref": "u-1",
}


@pytest.fixture
def stream_client(app_client: ContractClient) -> ContractClient:
    install_stream(app_client.app)  # type: ignore[arg-type]
    return app_client


def test_categories_are_the_closed_vocabulary(app_client: ContractClient) -> None:
    body = app_client.get(f"{BASE}/script-checks/categories").json()
    cats = {c["category"]: c for c in body["categories"]}
    assert len(cats) == 13
    assert cats["threat_of_violence"]["indicator"] == "SC-01"
    assert cats["discrimination"]["indicator"] == "SC-11"
    assert cats["missing_required_disclosure"]["default_severity"] == "major"


def test_blocking_violation_has_span_rule_indicator_and_evidence(sandbox: Sandbox) -> None:
    response = sandbox.call("POST", "/script-checks", json=THREAT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] == "block"
    assert body["client_ref"] == "u-1"
    violation = next(v for v in body["violations"] if v["category"] == "threat_of_arrest_or_prosecution")
    assert violation["indicator"] == "SC-02"
    assert violation["severity"] == "blocking"
    span = THREAT["text"][violation["span"]["start"] : violation["span"]["end"]]
    assert "police" in span.lower()
    assert isinstance(body["evidence_index"], int)


def test_lawful_notice_passes_and_is_still_evidence(sandbox: Sandbox) -> None:
    body = sandbox.call(
        "POST",
        "/script-checks",
        json={
            "text": "We intend to file a lawsuit if the balance is not paid by the 15th.",
            "speaker_role": "collector",
            "context": {"litigation_intended": True, "time_barred": False},
        },
    ).json()
    assert body["verdict"] == "pass"
    # Every verdict is evidence (issue 5), the clean ones too: it shows the utterance was checked.
    entry = sandbox.call("GET", f"/evidence/entries/{body['evidence_index']}", "auditor").json()
    assert entry["entry"]["kind"] == "script_check"
    assert entry["entry"]["payload"]["verdict"] == "pass"


def test_same_words_on_a_time_barred_debt_are_a_false_legal_claim(sandbox: Sandbox) -> None:
    body = sandbox.call(
        "POST",
        "/script-checks",
        json={
            "text": "We intend to file a lawsuit if the balance is not paid by the 15th.",
            "speaker_role": "collector",
            "context": {"litigation_intended": True, "time_barred": True},
        },
    ).json()
    assert [v["category"] for v in body["violations"]] == ["false_legal_claim"]


def test_debtors_words_are_not_blamed_on_the_collector(sandbox: Sandbox) -> None:
    body = sandbox.call(
        "POST",
        "/script-checks",
        json={"text": "他妈的，你们再打电话我就找人弄死你们！", "speaker_role": "debtor", "language": "auto"},
    ).json()
    assert body == body | {"verdict": "pass", "violations": [], "language": "zh"}


def test_batch_keeps_request_order(sandbox: Sandbox) -> None:
    items = [
        {"text": "您好，这个月的还款日是15号，请您留意。", "speaker_role": "collector", "client_ref": "a"},
        {"text": "你就是个老赖，一点脸都不要。", "speaker_role": "collector", "client_ref": "b"},
        {
            "text": "Hi, your son owes $3,400 on his credit card.",
            "speaker_role": "ai_agent",
            "context": {"listener_is_debtor": False},
            "client_ref": "c",
        },
    ]
    results = sandbox.call("POST", "/script-checks/batch", json={"items": items}).json()["results"]
    assert [r["client_ref"] for r in results] == ["a", "b", "c"]
    assert [r["verdict"] for r in results] == ["pass", "block", "block"]
    assert results[2]["violations"][0]["category"] == "third_party_disclosure"


def test_conversation_without_mini_miranda(sandbox: Sandbox) -> None:
    body = sandbox.call(
        "POST",
        "/script-checks/conversation",
        json={
            "conversation_id": "conv-1",
            "language": "en",
            "context": {"profile": "us", "communication": "initial", "channel": "call"},
            "turns": [
                {"speaker_role": "collector", "text": "Hi, this is Sam from Acme Recovery calling for Jordan Miles."},
                {"speaker_role": "debtor", "text": "Speaking."},
                # (not "... and need to pay it today", which the model flags: test_checker._FLAGGED_BY_MODEL)
                {"speaker_role": "collector", "text": "You owe 1,250 dollars on the account ending 4471."},
            ],
        },
    ).json()
    rules = [v["rule"] for v in body["conversation_violations"]]
    assert rules == ["en.disclosure.mini_miranda"]
    assert body["conversation_violations"][0]["span"] is None
    assert body["verdict"] == "review"
    assert len(body["turns"]) == 3


def test_conversation_with_disclosures_passes(sandbox: Sandbox) -> None:
    body = sandbox.call(
        "POST",
        "/script-checks/conversation",
        json={
            "context": {"profile": "us", "communication": "initial"},
            "turns": [
                {
                    "speaker_role": "ai_agent",
                    "text": "Hello, I'm an automated assistant for Harbor Point Recovery, a debt collector. "
                    "This is an attempt to collect a debt, and any information obtained will be used for "
                    "that purpose. It's about your Metro Wireless account.",
                },
            ],
        },
    ).json()
    assert body["conversation_violations"] == []
    assert body["verdict"] == "pass"


def test_http_get_on_the_stream_is_refused(sandbox: Sandbox) -> None:
    response = sandbox.call("GET", "/script-checks/stream")
    assert response.status_code == 400


def test_capabilities_announce_streaming(app_client: ContractClient) -> None:
    assert "streaming_script_checks" in app_client.get(f"{BASE}/capabilities").json()["features"]


def test_listener_names_who_hears_and_the_context_profile_decides(sandbox: Sandbox) -> None:
    """SC-07: a spouse is the consumer under Regulation F (us), a third party in China (cn)."""
    item = {
        "text": "Your husband still owes 1,240 dollars on his credit card and it is sixty days past due.",
        "speaker_role": "collector",
        "language": "en",
    }
    to_spouse = sandbox.call("POST", "/script-checks", json=item | {"context": {"profile": "us", "listener": "spouse"}})
    assert to_spouse.status_code == 200, to_spouse.text
    assert "third_party_disclosure" not in {v["category"] for v in to_spouse.json()["violations"]}
    in_china = sandbox.call("POST", "/script-checks", json=item | {"context": {"profile": "cn", "listener": "spouse"}})
    assert "third_party_disclosure" in {v["category"] for v in in_china.json()["violations"]}


def test_an_unknown_profile_in_the_context_is_a_422_problem(sandbox: Sandbox) -> None:
    body = {"text": "Hello.", "speaker_role": "collector", "context": {"profile": "us-ny"}}
    response = sandbox.call("POST", "/script-checks", json=body)
    assert response.status_code == 422, response.text
    assert "'us-ny' is not one of spec/profiles" in response.json()["detail"]


def test_a_context_that_contradicts_itself_is_a_422_problem_and_records_nothing(sandbox: Sandbox) -> None:
    def tree_size() -> int:
        checkpoint = sandbox.client.get(f"{BASE}/evidence/checkpoint", params={"tenant": sandbox.tenant_id})
        assert checkpoint.status_code == 200, checkpoint.text
        return int(checkpoint.json()["tree_size"])

    before = tree_size()
    items = [
        {"text": "Please call us back about your account.", "speaker_role": "collector"},
        {
            "text": "Please call us back about your account.",
            "speaker_role": "collector",
            "context": {"listener": "debtor", "listener_is_debtor": False},
        },
    ]
    for path, body in (("/script-checks", items[1]), ("/script-checks/batch", {"items": items})):
        response = sandbox.call("POST", path, json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "validation_failed"
        assert "contradicts" in problem["detail"]
        assert problem["detail"].startswith("items[1]: ") == (path == "/script-checks/batch")
    assert tree_size() == before  # the batch's good item was not recorded either


def _ws_frames(
    client: ContractClient, headers: dict[str, str], messages: list[dict[str, Any]], query: str = ""
) -> list[dict[str, Any]]:
    out = []
    with client.websocket_connect(STREAM_PATH + query, headers=headers, subprotocols=[SUBPROTOCOL]) as ws:
        assert ws.accepted_subprotocol == SUBPROTOCOL
        for message in messages:
            ws.send_text(json.dumps(message))
            out.append(ws.receive_json())
    return out


def test_stream_one_verdict_per_utterance_and_alert(stream_client: ContractClient, sandbox: Sandbox) -> None:
    messages = [
        {
            "text": "Thanks for calling back. Can you verify your date of birth?",
            "speaker_role": "collector",
            "conversation_id": "call-9",
            "client_ref": "1",
        },
        {
            "text": "I'm calling the police on you people if you don't stop!",
            "speaker_role": "debtor",
            "conversation_id": "call-9",
            "client_ref": "2",
        },
        {**THREAT, "conversation_id": "call-9", "client_ref": "3"},
    ]
    frames = _ws_frames(stream_client, sandbox.headers["collector"], messages)
    result_schema = validator("script-check-result.schema.json")
    for frame in frames:
        assert not list(result_schema.iter_errors(frame))
    assert [f["client_ref"] for f in frames] == ["1", "2", "3"]
    assert [f["verdict"] for f in frames] == ["pass", "pass", "block"]
    single = sandbox.call("POST", "/script-checks", json=THREAT).json()
    assert [v["category"] for v in frames[2]["violations"]] == [v["category"] for v in single["violations"]]
    outbox = sandbox.call("GET", "/sandbox/outbox", "admin").json()["items"]
    alerts = [m for m in outbox if m["kind"] == "alert"]
    assert len(alerts) == 1
    assert "call-9" in alerts[0]["content"]
    assert "SC-02" in alerts[0]["content"]
    assert alerts[0]["evidence_index"] == frames[2]["evidence_index"]
    entry = sandbox.call("GET", f"/evidence/entries/{frames[2]['evidence_index']}", "auditor").json()
    assert entry["entry"]["kind"] == "script_alert"
    assert "your office" not in json.dumps(entry)  # the log keeps a hash of the words, not the words


def test_stream_accepts_token_query_parameter(stream_client: ContractClient, sandbox: Sandbox) -> None:
    token = sandbox.headers["supervisor"]["Authorization"].split()[1]
    frames = _ws_frames(
        stream_client, {}, [{"text": "好的，祝您周末愉快。", "speaker_role": "collector"}], query=f"?token={token}"
    )
    assert frames[0]["verdict"] == "pass"


def test_stream_refuses_without_token_or_with_wrong_role(stream_client: ContractClient, sandbox: Sandbox) -> None:
    with pytest.raises(WebSocketDisconnect) as missing, stream_client.websocket_connect(STREAM_PATH):
        pass
    assert missing.value.code == 1008
    with (
        pytest.raises(WebSocketDisconnect),
        stream_client.websocket_connect(STREAM_PATH, headers=sandbox.headers["auditor"]),
    ):
        pass


def test_stream_closes_on_a_frame_that_is_not_a_request(stream_client: ContractClient, sandbox: Sandbox) -> None:
    with stream_client.websocket_connect(STREAM_PATH, headers=sandbox.headers["collector"]) as ws:
        ws.send_text(json.dumps({"speaker_role": "collector"}))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1007


def test_stream_closes_on_a_frame_whose_context_contradicts_itself(
    stream_client: ContractClient, sandbox: Sandbox
) -> None:
    frame = {
        "text": "Hello.",
        "speaker_role": "collector",
        "context": {"listener": "spouse", "listener_is_debtor": True},
    }
    with stream_client.websocket_connect(STREAM_PATH, headers=sandbox.headers["collector"]) as ws:
        ws.send_text(json.dumps(frame))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1007
    assert "contradicts" in closed.value.reason
