"""YAML's own errors worded for admins, at the place where the problem starts.

PyYAML reports an unclosed quote where the file ends and a missing ``:`` on the line after
the key; an admin looks where the quote opens and where the key is. A byte that is not UTF-8
or a control character is placed by line and column, never by offset.
"""

from __future__ import annotations

import codecs

import yaml

from engine.config.errors import Finding
from engine.config.model import Mark

MAX_FILE_BYTES = 1_000_000  # a rule file is a few kilobytes; 1 MB holds ~20,000 worklists

# A file that opens with one of these was saved in another encoding than UTF-8.
_OTHER_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def position(text: str, index: int, rel: str) -> Mark:
    """The line and column (both from 1) of the character at ``index`` in ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return Mark(rel, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def too_large(size: int, rel: str) -> Finding:
    """The finding for a file over ``MAX_FILE_BYTES`` (it is not read at all)."""
    return Finding(
        f"the file is {_megabytes(size)}; a configuration file may hold at most "
        f"{_megabytes(MAX_FILE_BYTES)}: split it into several files",
        Mark(rel, 1, 1),
        stage="yaml",
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def decode(data: bytes, rel: str) -> tuple[str, Finding | None]:
    """The text of a file, and a finding at the first byte that is not UTF-8 (if any).

    The text is decoded with replacement characters then, so that a caller may still learn
    something from it (which sections a broken file declares, a template's name).
    """
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        for bom, name in _OTHER_ENCODINGS:
            if data.startswith(bom):
                message = f"the file is {name} text: save it as UTF-8"
                return text, Finding(message, Mark(rel, 1, 1), stage="yaml")
        before = data[: exc.start].decode("utf-8")
        where = position(before, len(before), rel)
        byte = data[exc.start : exc.start + 1]
        try:  # the usual culprit: a file saved by a Windows editor
            guess = f" ('{byte.decode('cp1252')}' in Windows-1252)"
        except UnicodeDecodeError:
            guess = ""
        message = (
            f"not UTF-8 text: byte 0x{byte.hex()}{guess} cannot be read; save the file as UTF-8"
        )
        return text, Finding(message, where, stage="yaml")


def syntax_finding(exc: yaml.YAMLError, text: str, rel: str) -> Finding:
    """A syntax error as a finding at the line where the problem starts."""
    if isinstance(exc, yaml.reader.ReaderError):
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        message = f"YAML syntax error: character {char} is not allowed (a control character)"
        return Finding(message, position(text, exc.position, rel), stage="yaml")
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Finding(f"YAML error: {exc}", Mark(rel, 1, 1), stage="yaml")
    context = exc.context or ""
    problem = exc.problem or context or "invalid YAML"
    start, end = exc.context_mark, exc.problem_mark
    if start is not None and end is not None and _starts_earlier(context, problem, start, end):
        message = _opened_here(context, problem, end.line + 1)
        return Finding(f"YAML syntax error: {message}", _mark(rel, start), stage="yaml")
    where = end or start
    mark = _mark(rel, where) if where is not None else Mark(rel, 1, 1)
    return Finding(f"YAML syntax error: {_worded(problem)}", mark, stage="yaml")


def _mark(rel: str, where: yaml.Mark) -> Mark:
    return Mark(rel, where.line + 1, where.column + 1)


def _starts_earlier(context: str, problem: str, start: yaml.Mark, end: yaml.Mark) -> bool:
    """Whether the problem began at the context's mark (an unclosed quote or bracket, a key
    missing its ':') rather than where PyYAML noticed it."""
    if "quoted scalar" in context:
        return "end of stream" in problem or "document" in problem
    if "simple key" in context or "directive" in context:
        return True
    if "flow sequence" in context or "flow mapping" in context:
        return end.line != start.line
    return False


def _opened_here(context: str, problem: str, line: int) -> str:
    if "quoted scalar" in context:
        found = "the file ends" if "end of stream" in problem else "a '---' line comes"
        return f"the quoted text that starts here is never closed ({found} at line {line})"
    if "simple key" in context:
        return f"could not find the ':' that should follow this key (looked up to line {line})"
    if "directive" in context:
        return f"a line that starts with '%' is read as a YAML directive ({problem}); quote it"
    bracket = "[" if "sequence" in context else "{"
    return f"the '{bracket}' opened here is never closed ({problem} at line {line})"


def _worded(problem: str) -> str:
    if problem == "found character '\\t' that cannot start any token":
        return "found a tab character: YAML is indented with spaces, never tabs"
    if problem == "but found another document":
        return "a '---' line starts a second document; a rule file holds one"
    if problem.startswith("mapping values are not allowed"):
        return f"{problem} (a ': ' inside a value needs quotes; else check the indentation)"
    if problem.startswith("expected <block end>") or "<block mapping start>" in problem:
        return f"{problem} (check the indentation)"
    return problem
