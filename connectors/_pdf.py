"""Letters as PDF: the rendered template inside a page layout (Jinja2), printed by WeasyPrint.

WeasyPrint is imported on first use (it takes a second and needs Pango). Resources a letter
may load are limited to ``data:`` URLs and files under the configuration root: a party's
name or address holding ``<img src="http://…">`` must not make the relay fetch anything.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from connectors._text import message_html
from engine.outbox.api import Message

DEFAULT_LAYOUT = """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ subject }}</title>
<style>
  @page { size: {{ page_size }}; margin: 22mm 20mm 20mm 25mm;
    @bottom-left { content: "{{ key }}"; font-size: 7pt; color: #777; }
    @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
  body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4; }
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


def _fetcher(base: Path) -> Any:
    from weasyprint.urls import URLFetcher

    root = base.resolve()

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
        """Only data: URLs and files under the configuration root."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(root):
                    raise ValueError(f"letters may not load {url}")
            elif not url.startswith("data:"):
                raise ValueError(f"letters may not load {url}")
            return super().fetch(url, headers)

    return ConfinedFetcher(allowed_protocols=("data", "file"), timeout=5)


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


def render_pdf(html: str, base: Path) -> tuple[bytes, int]:
    """Print HTML to PDF (and count its pages), loading nothing from outside ``base``."""
    import weasyprint

    source = weasyprint.HTML(string=html, base_url=str(base), url_fetcher=_fetcher(base))
    document = source.render()
    pdf: bytes = document.write_pdf()
    return pdf, len(document.pages)
