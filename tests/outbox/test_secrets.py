"""Secrets come from the environment only and never show: not in errors, logs, or the CLI."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli.main import _register, cli
from engine.config import load_ruleset
from engine.config.errors import ConfigError
from engine.config.secrets import url_credentials
from engine.outbox import routing
from engine.outbox.secrets import Redactor
from tests.outbox.conftest import CONFIG, MakeDesk, make_root

_register()

API_KEY = "sk-live-7Q2xPz9LmN"


def test_an_inline_password_is_a_configuration_error_at_its_line(tmp_path: Path) -> None:
    root = make_root(
        tmp_path,
        """
        - id: mail
          type: smtp
          settings:
            host: smtp.example.test
            from: noreply@example.test
            username: docket
            password: hunter2
        """,
    )
    with pytest.raises(ConfigError) as raised:
        load_ruleset(root)
    [finding] = [f for f in raised.value.findings if f.severity == "error"]
    assert str(finding) == (
        "rules/connectors.yaml:8:17: error: connector 'mail': settings 'password' is a secret "
        "written inline; put it in an environment variable and write '${MAIL_PASSWORD}'"
    )
    assert "hunter2" not in str(raised.value)


def test_a_missing_variable_stops_the_relay_with_its_name(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    root = make_root(
        tmp_path,
        """
        - id: mail
          type: smtp
          settings: {host: 127.0.0.1, from: a@b.test, username: u, password: "${SMTP_PASSWORD}"}
        """,
    )
    result = CliRunner().invoke(
        cli, ["outbox", "relay", "--once", "--config", str(root), "--db", db_url]
    )
    assert result.exit_code == 1
    assert (
        "rules/connectors.yaml:4:72: error: connector 'mail': settings 'password' needs the "
        "environment variable SMTP_PASSWORD, which is unset" in result.output
    )


def test_a_secret_echoed_back_by_a_gateway_is_blanked_everywhere(
    desk: MakeDesk,
    http_server,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SMS_API_KEY", API_KEY)
    server = http_server(statuses=[401], echo_auth=True)
    one = desk(
        f"""
        - id: texts
          type: sms_http
          settings: {{url: "{server.url}/send", from: NORTHWIND, api_key: "${{SMS_API_KEY}}"}}
        """
    )
    one.place(send=("sms",))
    caplog.set_level(logging.INFO)

    assert one.relay().dead == [1]

    assert server.requests[0].headers["Authorization"] == f"Bearer {API_KEY}"  # it was sent
    row = one.row()
    assert "invalid credentials: Bearer ***" in row.last_error
    assert API_KEY not in row.last_error
    assert API_KEY not in caplog.text and "Bearer ***" in caplog.text
    args = ["--config", str(one.root), "--db", db_url]
    runner = CliRunner()
    for command in (["show", "1"], ["show", "1", "--json"], ["list"], ["list", "--json"]):
        output = runner.invoke(cli, ["outbox", *command, *args]).output
        assert "invalid credentials" in output
        assert API_KEY not in output, command
    trace = runner.invoke(cli, ["trace", "1", *args]).output
    assert "send_sms" in trace and API_KEY not in trace
    relay = runner.invoke(cli, ["outbox", "relay", "--once", *args])
    assert API_KEY not in relay.output


def test_a_settings_error_about_a_secret_does_not_show_its_value(
    tmp_path: Path, fax_plugin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(fax_plugin))
    monkeypatch.setenv("FAX_TOKEN", "wrong-token-value")
    root = make_root(
        tmp_path,
        """
        - id: fax
          type: fax
          settings: {journal: fax.log, station_token: "${FAX_TOKEN}"}
        """,
    )
    with pytest.raises(ConfigError) as raised:
        routing.router_for(load_ruleset(root))
    text = str(raised.value)
    assert "station_token" in text and "does not match '^ST-'" in text
    assert "wrong-token-value" not in text


def test_the_sample_config_has_no_inline_secrets() -> None:
    assert load_ruleset(CONFIG).connectors == ()


def test_a_basic_authorization_echoed_back_is_blanked_in_the_store_cli_and_api(
    desk: MakeDesk,
    http_server,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fastapi.testclient import TestClient

    from engine.api import ApiSettings, create_app
    from engine.api.tokens import create_token

    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tw-token-987")
    server = http_server(statuses=[401], echo_auth=True)
    one = desk(
        f"""
        - id: texts
          type: sms_http
          settings:
            form: twilio
            url: {server.url}
            account_sid: AC123
            auth_token: ${{TWILIO_AUTH_TOKEN}}
            from: "+15550199"
        """
    )
    one.place(send=("sms",))
    caplog.set_level(logging.INFO)

    assert one.relay().dead == [1]

    basic = base64.b64encode(b"AC123:tw-token-987").decode()
    assert server.requests[0].headers["Authorization"] == f"Basic {basic}"  # it was sent
    stored = one.row().last_error
    assert "invalid credentials: Basic ***" in stored and basic not in stored
    assert basic not in caplog.text and "Basic ***" in caplog.text
    args = ["--config", str(one.root), "--db", db_url]
    for command in (["show", "1"], ["show", "1", "--json"], ["list"], ["list", "--json"]):
        output = CliRunner().invoke(cli, ["outbox", *command, *args]).output
        assert "Basic ***" in output and basic not in output, command
    with one.engine.unit("test") as unit:
        viewer, _ = create_token(unit.session, "viewer", "test-viewer", unit.now)
    app = create_app(one.engine, ApiSettings(token_cache_seconds=0, access_log=False))
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {viewer}"}
        listed = client.get("/outbox", headers=auth)
    assert listed.status_code == 200, listed.text
    assert "Basic ***" in listed.text and basic not in listed.text


def test_every_variable_read_is_blanked_not_only_secret_keys() -> None:
    expanded = routing.expand(
        {"url": "https://${HOOK_USER}:${HOOK_PASS}@hooks.test/x", "headers": {"X-Auth": "${XA}"}},
        {"HOOK_USER": "court-user", "HOOK_PASS": "pa55-word", "XA": "xa-value-1"},
    )
    redact = Redactor(expanded.secrets)
    text = f"refused {expanded.settings['url']} with {expanded.settings['headers']['X-Auth']}"
    assert redact(text) == "refused https://***@hooks.test/x with ***"
    assert redact("HTTP 401: Authorization: Bearer abc.def-123 and basic QUJDOkRFRg==") == (
        "HTTP 401: Authorization: Bearer *** and basic ***"
    )


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://admin:secret@hooks.example.test/court", True),
        ("https://token-only@hooks.example.test/", True),
        ("https://${HOOK_USER}:${HOOK_PASS}@hooks.example.test/", False),
        ("https://hooks.example.test/court?to=a@b.test", False),
    ],
)
def test_credentials_in_a_connector_url_are_refused_like_inline_passwords(
    url: str, refused: bool
) -> None:
    settings = {"url": url, "headers": {"X-Next": url}}
    assert url_credentials(settings) == ([("url",), ("headers", "X-Next")] if refused else [])
