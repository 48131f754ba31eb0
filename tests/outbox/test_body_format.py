"""A message's body is HTML only when its template is: data a text template prints never
becomes markup in an email's HTML part or a letter (finding 2 of the hostile-input issue)."""

from __future__ import annotations

from connectors._email import build_email
from connectors._pdf import letter_html
from engine.outbox.api import Message, Recipient

BEACON = '<img src="http://beacon.test/x.gif">'


def _message(body: str, fmt: str | None) -> Message:
    payload = {} if fmt is None else {"format": fmt}
    recipient = Recipient("P1", "Dana Reyes", "dana@example.test", ("responsible",))
    return Message(1, "email", recipient, "notice", "Notice", body, payload)


def test_the_queued_email_and_text_carry_their_templates_format(desk) -> None:
    office = desk()
    office.place(send=("email", "sms"))
    formats = {row.channel: row.payload.get("format") for row in office.rows()}
    assert formats == {"email": "html", "sms": "text"}


def test_a_text_body_with_markup_from_data_gets_no_html_part() -> None:
    email = build_email(_message(f"Dear {BEACON},\nyou owe 10.00", "text"), "k1", "a@b.test")
    assert [part.get_content_type() for part in email.walk()] == ["text/plain"]
    assert BEACON in email.get_content()


def test_an_html_body_keeps_its_html_part() -> None:
    email = build_email(_message("<p>Dear Dana,</p>", "html"), "k1", "a@b.test")
    types = [part.get_content_type() for part in email.walk()]
    assert "text/html" in types


def test_a_message_queued_before_formats_is_judged_by_its_markup() -> None:
    email = build_email(_message("<p>Dear Dana,</p>", None), "k1", "a@b.test")
    assert "text/html" in [part.get_content_type() for part in email.walk()]


def test_a_text_letter_prints_markup_from_data_as_text() -> None:
    page = letter_html(_message("<h1>PAID IN FULL</h1>\nNothing owed", "text"), "k1", agency="X")
    assert "&lt;h1&gt;PAID IN FULL&lt;/h1&gt;<br>" in page
    assert "<h1>PAID IN FULL</h1>" not in page
