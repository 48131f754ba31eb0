"""Email over SMTP against a real aiosmtpd server on loopback: auth, STARTTLS, SSL, failures."""

from __future__ import annotations

import ssl
from datetime import timedelta
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner

from engine.cli.main import _register, cli
from tests.outbox.conftest import MakeDesk
from tests.outbox.servers import free_port

_register()

PASSWORD = "s3cret-Pa55word"


def smtp_connector(port: int, security: str = "none", extra: str = "") -> str:
    return f"""
    - id: mail
      type: smtp
      settings:
        host: 127.0.0.1
        port: {port}
        security: {security}
        from: "Outbox Test Recovery <noreply@outbox-test.example>"
        timeout: 5
        retry: {{max_attempts: 3, backoff_seconds: 60}}
        {extra}
    """


def test_an_email_reaches_the_server_with_a_message_id_from_its_key(
    desk: MakeDesk, smtp_server
) -> None:
    server = smtp_server()
    one = desk(smtp_connector(server.port))
    one.place(send=("email",))

    report = one.relay()

    assert report.sent == [1]
    [mail] = server.received
    assert mail.rcpt_tos == ["dana@example.test"]
    assert mail.mail_from == "noreply@outbox-test.example"
    message = mail.message
    assert message["Subject"] == "Your account A1 with Acme Bank"
    assert message["To"] == "Dana Reyes <dana@example.test>"
    key = message["X-Docket-Key"]
    assert message["Message-ID"] == f"<{key}@outbox-test.example>"
    assert key.startswith("1-send-email-0-P1-")
    text = message.get_body(("plain",)).get_content()
    assert "balance of $1200.00" in text and "<p>" not in text
    assert "<p>Dear Dana Reyes,</p>" in message.get_body(("html",)).get_content()
    row = one.row()
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, one.now())


def _tls(ca: trustme.CA, folder: Path) -> tuple[ssl.SSLContext, str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    login = "username: docket\n        password: ${SMTP_PASSWORD}"
    return context, f"ca_file: {folder / 'ca.pem'}\n        {login}"


# aiosmtpd does not count TLS-on-connect as TLS for AUTH and warns; the connection is TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login_with_the_password_from_the_environment(
    desk: MakeDesk,
    smtp_server,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    context, extra = _tls(ca, tmp_path)
    tls = {"starttls": context} if security == "starttls" else {"implicit_tls": context}
    server = smtp_server(login=("docket", PASSWORD), **tls)
    one = desk(smtp_connector(server.port, security, extra))
    one.place(send=("email",))

    assert one.relay().sent == [1]
    assert server.logins == ["docket"]
    assert len(server.received) == 1


def test_a_wrong_password_is_a_dead_letter_and_never_shown(
    desk: MakeDesk,
    smtp_server,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "not-the-Right-one")
    context, extra = _tls(ca, tmp_path)
    server = smtp_server(login=("docket", PASSWORD), starttls=context)
    one = desk(smtp_connector(server.port, "starttls", extra))
    one.place(send=("email",))

    assert one.relay().dead == [1]
    row = one.row()
    assert "535" in row.last_error
    assert "not-the-Right-one" not in row.last_error
    assert server.received == []


def test_an_untrusted_certificate_is_a_dead_letter_not_a_plaintext_send(
    desk: MakeDesk, smtp_server, ca: trustme.CA
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = smtp_server(starttls=context)
    one = desk(smtp_connector(server.port, "starttls"))  # the system CAs do not know ours
    one.place(send=("email",))

    assert one.relay().dead == [1]
    assert "certificate not trusted" in one.row().last_error
    assert server.received == []


def test_smtp_down_is_retried_then_dead_lettered_then_retried_by_hand(
    desk: MakeDesk, smtp_server, db_url: str
) -> None:
    port = free_port()  # nothing listens here yet
    one = desk(smtp_connector(port))
    one.place(send=("email",))

    first = one.relay()
    row = one.row()
    assert first.retrying == [1]
    assert (row.status, row.attempts) == ("pending", 1)
    assert "cannot reach 127.0.0.1" in row.last_error
    # Equal jitter: the first wait is between half and all of 60 s.
    wait = row.next_attempt_at - one.now()
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=60)
    assert one.relay(timedelta(seconds=20)).retrying == []  # not due yet

    second = one.relay(timedelta(minutes=2))
    assert second.retrying == [1]
    wait = one.row().next_attempt_at - (one.now() + timedelta(minutes=2))
    assert timedelta(seconds=60) <= wait <= timedelta(seconds=120)  # doubled

    third = one.relay(timedelta(minutes=10))
    row = one.row()
    assert third.dead == [1]
    assert (row.status, row.attempts) == ("dead", 3)
    assert row.last_error.startswith("gave up after 3 attempts: mail: cannot reach")

    server = smtp_server(port)  # the server is back
    runner = CliRunner()
    args = ["--config", str(one.root), "--db", db_url]
    listed = runner.invoke(cli, ["outbox", "list", "--status", "dead", *args])
    assert "dead" in listed.output and "gave up after 3 attempts" in listed.output
    retried = runner.invoke(cli, ["outbox", "retry", "1", *args])
    assert retried.exit_code == 0, retried.output
    assert "message 1: pending" in retried.output

    assert one.relay(timedelta(minutes=11)).sent == [1]
    assert len(server.received) == 1
    assert one.row().status == "sent"


def test_a_refused_mailbox_is_a_dead_letter_at_once(desk: MakeDesk, smtp_server) -> None:
    server = smtp_server()
    server.handler.refused.add("dana@example.test")
    one = desk(smtp_connector(server.port))
    one.place(send=("email",))

    report = one.relay()

    assert report.dead == [1]
    row = one.row()
    assert (row.status, row.attempts) == ("dead", 1)
    assert "550" in row.last_error


def test_an_invalid_address_is_a_dead_letter_without_connecting(
    desk: MakeDesk, smtp_server
) -> None:
    server = smtp_server()
    one = desk(smtp_connector(server.port))
    one.place(send=("email",), email="not-an-address")

    assert one.relay().dead == [1]
    assert "invalid email address 'not-an-address'" in one.row().last_error
    assert server.received == []
