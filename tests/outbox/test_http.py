"""Webhooks and SMS gateways against a real HTTP server on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest

from tests.outbox.conftest import MakeDesk

SECRET = "whsec-0123456789"


def webhook(url: str, extra: str = "") -> str:
    return f"""
    - id: hooks
      type: webhook
      settings:
        url: {url}/hook
        secret: ${{WEBHOOK_SECRET}}
        timeout: 5
        retry: {{max_attempts: 4, backoff_seconds: 10}}
        {extra}
    """


def test_a_webhook_is_signed_and_carries_its_idempotency_key(
    desk: MakeDesk, http_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    server = http_server()
    one = desk(webhook(server.url))
    one.place(send=("webhook",))

    assert one.relay().sent == [1]
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/hook")
    assert request.json() == {"event": "placed", "account": "A1", "balance": "1200.00"}
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Docket-Signature"] == f"sha256={expected}"
    assert request.headers["Idempotency-Key"].startswith("1-send-webhook-0-https-")
    assert request.headers["Content-Type"] == "application/json"


def test_http_500_is_retried_with_the_same_key(desk: MakeDesk, http_server, monkeypatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    server = http_server(statuses=[500, 503])
    one = desk(webhook(server.url))
    one.place(send=("webhook",))

    assert one.relay().retrying == [1]
    assert "HTTP 500 from http://127.0.0.1" in one.row().last_error
    assert one.relay(timedelta(seconds=11)).retrying == [1]
    assert one.relay(timedelta(seconds=40)).sent == [1]
    row = one.row()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(server.requests) == 3
    assert len(set(server.keys())) == 1


def test_http_400_is_a_dead_letter_at_once(desk: MakeDesk, http_server, monkeypatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    server = http_server(statuses=[400])
    one = desk(webhook(server.url))
    one.place(send=("webhook",))

    report = one.relay()

    assert report.dead == [1]
    row = one.row()
    assert (row.status, row.attempts) == ("dead", 1)
    assert row.last_error.startswith("hooks: HTTP 400 from http://127.0.0.1")
    assert one.relay(timedelta(hours=5)).dead == []  # never tried again by itself
    assert len(server.requests) == 1


def test_429_waits_as_long_as_retry_after_says(desk: MakeDesk, http_server, monkeypatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    server = http_server(statuses=[429, 429], error_headers={"Retry-After": "120"})
    one = desk(webhook(server.url))
    one.place(send=("webhook",))

    assert one.relay().retrying == [1]
    # The relay's own first wait would be 5-10 s; the server asked for two minutes.
    assert one.row().next_attempt_at - one.now() == timedelta(seconds=120)
    assert one.relay(timedelta(seconds=60)).retrying == []
    assert one.relay(timedelta(seconds=121)).retrying == [1]


def test_a_server_that_does_not_answer_in_time_is_retried(
    desk: MakeDesk, http_server, monkeypatch
) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    server = http_server(delay=3.0)
    one = desk(webhook(server.url, "").replace("timeout: 5", "timeout: 0.5"))
    one.place(send=("webhook",))

    assert one.relay().retrying == [1]
    assert "no answer from http://127.0.0.1" in one.row().last_error


def sms(url: str, form: str) -> str:
    if form == "twilio":
        settings = f"""form: twilio
        url: {url}
        account_sid: AC123
        auth_token: ${{TWILIO_AUTH_TOKEN}}
        from: "+15550199\""""
    else:
        settings = f"""url: {url}/sms/send
        api_key: ${{SMS_API_KEY}}
        from: NORTHWIND"""
    return f"""
    - id: texts
      type: sms_http
      settings:
        {settings}
    """


def test_sms_in_the_generic_json_form(desk: MakeDesk, http_server, monkeypatch) -> None:
    monkeypatch.setenv("SMS_API_KEY", "key-abc-123")
    server = http_server()
    one = desk(sms(server.url, "json"))
    one.place(send=("sms",))

    report = one.relay()

    assert report.sent == [1]
    [request] = server.requests
    assert request.path == "/sms/send"
    body = request.json()
    assert body["to"] == "+15550100" and body["from"] == "NORTHWIND"
    assert body["text"].startswith("Outbox Test Recovery: account A1 balance $1200.00.")
    assert body["reference"] == request.headers["Idempotency-Key"]
    assert request.headers["Authorization"] == "Bearer key-abc-123"
    assert one.row().payload["_delivery"]["receipt"] == "msg-1"


def test_sms_in_the_twilio_form(desk: MakeDesk, http_server, monkeypatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tw-token-987")
    server = http_server()
    server.reply = {"sid": "SM0001", "status": "queued"}
    one = desk(sms(server.url, "twilio"))
    one.place(send=("sms",))

    assert one.relay().sent == [1]
    [request] = server.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    form = dict(pair.split("=", 1) for pair in request.body.decode().split("&"))
    assert form["To"] == "%2B15550100" and form["From"] == "%2B15550199"
    assert form["Body"].startswith("Outbox+Test+Recovery")
    basic = base64.b64encode(b"AC123:tw-token-987").decode()
    assert request.headers["Authorization"] == f"Basic {basic}"
    key = request.headers["Idempotency-Key"]
    assert request.headers["I-Twilio-Idempotency-Token"] == key
    assert one.row().payload["_delivery"]["receipt"] == "SM0001"


def test_an_invalid_phone_number_is_a_dead_letter(desk: MakeDesk, http_server, monkeypatch):
    monkeypatch.setenv("SMS_API_KEY", "key-abc-123")
    server = http_server()
    one = desk(sms(server.url, "json"))
    one.place(send=("sms",), phone="call me maybe")

    assert one.relay().dead == [1]
    assert "invalid phone number 'call me maybe'" in one.row().last_error
    assert server.requests == []


def test_routing_by_client_and_channel(desk: MakeDesk, http_server, monkeypatch) -> None:
    monkeypatch.setenv("SMS_API_KEY", "key-abc-123")
    general, globex = http_server(), http_server()
    one = desk(
        f"""
        - id: globex-texts
          type: sms_http
          clients: [GLOBEX]
          settings: {{url: "{globex.url}/sms", from: GLOBEX}}
        - id: texts
          type: sms_http
          settings: {{url: "{general.url}/sms", from: NORTHWIND, api_key: "${{SMS_API_KEY}}"}}
        """
    )
    one.place("A1", ("sms", "email"), party="P1", client="ACME")
    one.place("A2", ("sms",), party="P2", client="GLOBEX")

    report = one.relay()

    assert sorted(report.sent) == [2, 3]  # both SMS
    assert [r.json()["from"] for r in general.requests] == ["NORTHWIND"]
    assert [r.json()["from"] for r in globex.requests] == ["GLOBEX"]
    email = one.rows()[0]
    assert (email.channel, email.status) == ("email", "dead")
    assert email.last_error == "no connector serves channel 'email' for client 'ACME'"
