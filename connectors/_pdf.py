"""Letters as HTML pages: the rendered template inside a page layout (Jinja2).

``_printer`` prints them to PDF. The default layout sets the letter fonts shipped with
Docket (``connectors/fonts``), which print fast; a layout of the agency's own may name any
font the system has.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from connectors._text import message_html
from engine.outbox.api import Message

DEFAULT_LAYOUT = """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ subject }}</title>
<style>
  @page { size: {{ page_size }}; margin: 22mm 20mm 20mm 25mm;
    font-family: "Docket Letter", "DejaVu Sans", sans-serif;
    @bottom-left { content: "{{ key }}"; font-size: 7pt; color: #777; }
    @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
  body { font-family: "Docket Letter", "DejaVu Sans", sans-serif; font-size: 10.5pt;
    line-height: 1.4; }
  .sender { font-size: 8pt; color: #333; }
  .window { margin: 10mm 0 12mm 0; min-height: 24mm; white-space: pre-line; }
</style></head>
<body>
<div class="sender">{{ return_address or agency }}</div>
<div class="window">{{ recipient.name or "" }}
{{ recipient.address or "" }}</div>
{{ body }}
</body></html>
"""


@cache
def _environment(folder: str) -> Environment:
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True))


def letter_html(
    message: Message,
    key: str,
    *,
    agency: str,
    layout: Path | None = None,
    return_address: str | None = None,
    page_size: str = "Letter",
) -> str:
    """The letter's full HTML page: the layout around the rendered template."""
    if layout is not None:
        template = _environment(str(layout.parent)).get_template(layout.name)
    else:
        template = _environment("/").from_string(DEFAULT_LAYOUT)
    return template.render(
        body=message_html(message),  # rendered by the rule's template; text escaped
        subject=message.subject or message.template or "Letter",
        recipient=message.recipient,
        agency=agency,
        return_address=return_address,
        key=key,
        page_size=page_size,
        today=(message.today or date.today()).isoformat(),
        account=message.account,
        case=message.case,
    )
