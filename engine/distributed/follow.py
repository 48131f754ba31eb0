"""The configuration version published in the database, which every worker follows.

An API process publishes its version when it starts and on each reload (``Engine``: the
active row of ``ruleset_versions``, with the version's files archived). A worker has no
configuration root of its own: it compiles the active version from the archive, and before
each job checks whether another one was published since — one indexed read — so a run always
records the version that was active when its job began.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import make_engine, session_factory
from engine.domain import models as m
from engine.runtime.archive import archived_files, compile_files
from engine.runtime.engine import Engine
from engine.scheduler import versions

log = logging.getLogger("docket.versions")


class NoPublishedVersion(Exception):
    """No usable configuration version is published in the database; the message says why."""


def active_hash(session: Session) -> str | None:
    query = select(m.RuleSetVersion.hash).where(m.RuleSetVersion.active.is_(True))
    return session.scalars(query.order_by(m.RuleSetVersion.loaded_at.desc())).first()


def compile_version(session: Session, ruleset_hash: str, actions: Iterable[str]) -> RuleSet:
    files = archived_files(session, ruleset_hash)
    if files is None:
        raise NoPublishedVersion(
            f"version {ruleset_hash[:12]} is active but its files are not archived: start "
            "`docket run --distributed --config ROOT` (or `docket publish`) to publish one"
        )
    ruleset = compile_files(files, actions)
    if ruleset.hash != ruleset_hash:
        raise NoPublishedVersion(
            f"the archived files of version {ruleset_hash[:12]} compile to {ruleset.hash[:12]}"
        )
    return ruleset


def follow_published(engine: Engine) -> str | None:
    """Switch ``engine`` to the published version if another one was published; the new
    hash, or None when it already runs the published version (or none is published)."""
    with engine.sessions() as session:
        published = active_hash(session)
        if published is None or published == engine.ruleset.hash:
            return None
        ruleset = compile_version(session, published, engine.registry.names())
    previous = engine.ruleset.hash
    engine.use_ruleset(ruleset, publish=False)  # following is not publishing
    versions.install(engine)
    log.info("configuration version followed", extra={"previous": previous, "current": published})
    return published


def load_published(db_url: str, actions: Iterable[str]) -> RuleSet:
    """The active version, compiled from its archived files."""
    db = make_engine(db_url)
    try:
        with session_factory(db)() as session:
            found = active_hash(session)
            if found is None:
                raise NoPublishedVersion(
                    "no configuration is published in this database: start "
                    "`docket run --distributed --config ROOT` or run `docket publish`"
                )
            return compile_version(session, found, actions)
    finally:
        db.dispose()
