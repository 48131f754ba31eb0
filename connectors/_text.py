"""HTML bodies as plain text (the text part of an email, an SMS)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markupsafe import Markup, escape

from engine.outbox.api import Message

_BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKS:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def looks_like_html(text: str) -> bool:
    """True when the body holds markup (templates are usually HTML)."""
    return bool(_TAG.search(text))


def is_html(message: Message) -> bool:
    """Whether the message's body is HTML: as the rule's template said when it was queued
    (``payload.format``, "html" or "text"); older messages are judged by their markup."""
    declared = message.payload.get("format")
    if declared in ("html", "text"):
        return bool(declared == "html")
    return looks_like_html(message.body or "")


def message_text(message: Message) -> str:
    """The body as plain text: an HTML body without its tags, a text body as written."""
    body = message.body or ""
    return html_to_text(body) if is_html(message) else body.strip()


def message_html(message: Message) -> Markup:
    """The body as HTML: an HTML body as rendered (its data escaped by the template), a text
    body escaped with its line breaks kept."""
    body = message.body or ""
    if is_html(message):
        return Markup(body)
    return Markup("<br>\n").join(escape(line) for line in body.strip().splitlines())


def html_to_text(text: str) -> str:
    """Readable plain text: tags dropped, paragraphs and line breaks kept."""
    if not looks_like_html(text):
        return text.strip()
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
