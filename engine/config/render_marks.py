"""Where a template failed at run time: its file and the line of template code that raised.

Jinja rewrites a render's traceback so that each frame of template code carries the
template's file name and the line in the template; the innermost such frame is the one an
admin wants (an included template is its own file).
"""

from __future__ import annotations

from engine.config.model import Mark, Template

_STRING_TEMPLATE = "<template>"  # Jinja's file name for a template compiled from a string


def failure_mark(template: Template, exc: BaseException, *, start: int = 0) -> Mark:
    """The place in ``template`` (or a template it includes) where rendering raised ``exc``.

    ``start`` is where the part rendered separately begins in the template's source (a
    subject line read from a ``{# subject: … #}`` comment); its lines count from there.
    """
    found: tuple[str, int] | None = None
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return template.mark
    file, line = found
    if file != _STRING_TEMPLATE and file != template.mark.file:
        return Mark(file, line, 1)  # an included template
    line += template.source.count("\n", 0, start)
    base = template.mark
    if file == _STRING_TEMPLATE and start == 0:
        # A template written in a YAML value: its first line is where the value starts.
        return Mark(base.file, base.line + line - 1, base.col if line == 1 else 1)
    return Mark(base.file, base.line + line - 1, 1)
