"""HTML to PDF for letters, fast: fonts and stylesheets loaded once, many letters per PDF.

A letter used to cost 0.56 s of CPU, 85 % of it WeasyPrint subsetting the full DejaVu Sans
(6,000 glyphs, large layout tables) into every PDF. A ``Printer`` instead embeds the Latin
cuts shipped in ``connectors/fonts`` (see ``make_subsets.py``; other characters fall back to
the system's fonts), keeps one font configuration and one parsed font stylesheet for all
its letters, and prints a batch of letters as one PDF (its fonts embedded once) with each
letter's page range. Resources a letter may load are limited to ``data:`` URLs and files
under the configuration root: a party's name holding ``<img src="http://…">`` must not make
the relay fetch anything. WeasyPrint is imported on first use (it takes a second).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FONTS = Path(__file__).with_name("fonts")
FAMILY = "Docket Letter"
_FACES = (
    ("Regular", "normal", "normal"),
    ("Bold", "bold", "normal"),
    ("Italic", "normal", "italic"),
    ("BoldItalic", "bold", "italic"),
)
# fontTools and WeasyPrint narrate every subset and font at INFO/WARNING: letters are quiet.
for _noisy in ("fontTools", "weasyprint.progress"):
    logging.getLogger(_noisy).setLevel(logging.ERROR)


def font_faces() -> str:
    """The ``@font-face`` rules of the letter fonts, as CSS."""
    return "".join(
        f"@font-face {{ font-family: '{FAMILY}'; font-weight: {weight}; font-style: {style};"
        f" src: url('{(FONTS / f'DocketLetter-{face}.ttf').as_uri()}'); }}\n"
        for face, weight, style in _FACES
    )


def _fetcher(base: Path) -> Any:
    from weasyprint.urls import URLFetcher

    allowed = (base.resolve(), FONTS.resolve())

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
        """Only data: URLs, the letter fonts and files under the configuration root."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in allowed):
                    raise ValueError(f"letters may not load {url}")
            elif not url.startswith("data:"):
                raise ValueError(f"letters may not load {url}")
            return super().fetch(url, headers)

    return ConfinedFetcher(allowed_protocols=("data", "file"), timeout=5)


@dataclass(frozen=True, slots=True)
class Printed:
    """One PDF and the pages of each letter in it, in order (1-based, inclusive)."""

    pdf: bytes
    pages: tuple[tuple[int, int], ...]


class Printer:
    """Prints letters' HTML pages to PDF, with fonts and stylesheets shared between them.

    With ``workers`` above 1, ``batches`` prints several batches at once in a pool of that
    many processes (started on first use and kept until ``close``): WeasyPrint is pure
    Python and holds the GIL, so only processes use more than one core.
    """

    def __init__(self, base: Path, workers: int = 1) -> None:
        self.base = base
        self.workers = workers
        self._loaded: tuple[Any, Any, Any] | None = None
        self._pool: ProcessPoolExecutor | None = None

    def _load(self) -> tuple[Any, Any, Any]:
        if self._loaded is None:
            import weasyprint
            from weasyprint.text.fonts import FontConfiguration

            fonts = FontConfiguration()
            fetcher = _fetcher(self.base)
            sheet = weasyprint.CSS(string=font_faces(), font_config=fonts, url_fetcher=fetcher)
            self._loaded = (fonts, sheet, fetcher)
        return self._loaded

    def _document(self, html: str) -> Any:
        import weasyprint

        fonts, sheet, fetcher = self._load()
        source = weasyprint.HTML(string=html, base_url=str(self.base), url_fetcher=fetcher)
        return source.render(stylesheets=[sheet], font_config=fonts)

    def pdf(self, html: str) -> tuple[bytes, int]:
        """One letter as its own PDF, and its page count."""
        document = self._document(html)
        data: bytes = document.write_pdf()
        return data, len(document.pages)

    def batch(self, pages_html: Sequence[str]) -> Printed:
        """Letters one after the other in one PDF (each starts on a new page)."""
        documents = [self._document(html) for html in pages_html]
        ranges, first = [], 1
        for document in documents:
            ranges.append((first, first + len(document.pages) - 1))
            first += len(document.pages)
        every_page = [page for document in documents for page in document.pages]
        data: bytes = documents[0].copy(every_page).write_pdf()
        return Printed(data, tuple(ranges))

    def batches(self, groups: Sequence[Sequence[str]]) -> list[Printed]:
        """Several batches, each its own PDF; in the worker pool when there is one."""
        if self.workers <= 1 or len(groups) <= 1:
            return [self.batch(group) for group in groups]
        if self._pool is None:
            # spawn, not fork: the service has threads (the web server, the scheduler)
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        bases = [str(self.base)] * len(groups)
        return list(self._pool.map(_print_in_worker, bases, [list(g) for g in groups]))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


_WORKER: dict[str, Printer] = {}


def _print_in_worker(base: str, pages: list[str]) -> Printed:
    """A pool process's part: one batch, on that process's own printer for ``base``."""
    printer = _WORKER.get(base)
    if printer is None:
        printer = _WORKER[base] = Printer(Path(base))
    return printer.batch(pages)
