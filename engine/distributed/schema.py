"""Set a PostgreSQL store up for workers: procrastinate's schema and the inbox trigger.

Every pending inbox row must have a job, committed with it: whatever inserts the row (an
API request, a derived event, a date sweep's set-based INSERT … SELECT, a daily hook). A
statement-level trigger on ``inbox`` gives each subject of the inserted pending rows one
``docket.process`` job whose procrastinate ``lock`` is the subject key, through
procrastinate's own ``procrastinate_defer_jobs_v1``. A job processes every pending event of
its subject in order, so a job that finds nothing left (its events were taken by an earlier
job of the same subject) simply succeeds: an event is never processed twice (the inbox
status and the ledger say so), and never left behind.
"""

from __future__ import annotations

from datetime import datetime
from importlib.metadata import version

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from engine.distributed.errors import NotDistributed
from engine.domain import make_engine, normalize_url, upgrade

EVENTS_QUEUE = "events"
PERIODIC_QUEUE = "periodic"
RELAY_QUEUE = "relay"  # its own queue: a worker without the relay never takes its jobs
PROCESS_TASK = "docket.process"

# One job per subject of the pending rows, oldest first. ``docket.subject`` names the subject
# the current transaction's job is processing (a worker sets it): that job goes on until its
# subject has no pending event left, so the events it derives for itself need no new job.
_JOBS = f"""
    SELECT ROW('{EVENTS_QUEUE}', '{PROCESS_TASK}', 0, pending.subject_key, NULL,
               jsonb_build_object('subject', pending.subject_key), NULL
           )::procrastinate_job_to_defer_v1
      FROM (SELECT subject_key, min(seq) AS first_seq
              FROM {{rows}}
             WHERE status = 'pending' AND subject_key IS NOT NULL {{more}}
             GROUP BY subject_key) AS pending
     {{where}}
     ORDER BY pending.first_seq
"""

_NEW_ROWS_JOBS = _JOBS.format(
    rows="docket_new_inbox",
    more="AND subject_key IS DISTINCT FROM current_setting('docket.subject', true)",
    where="",
)

_TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION docket_defer_inbox() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM procrastinate_defer_jobs_v1(ARRAY({_NEW_ROWS_JOBS}));
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS docket_defer_inbox ON inbox;
CREATE TRIGGER docket_defer_inbox
    AFTER INSERT ON inbox
    REFERENCING NEW TABLE AS docket_new_inbox
    FOR EACH STATEMENT EXECUTE FUNCTION docket_defer_inbox();
"""

# A safety net run by the periodic job: a subject with events pending for a while and no job
# queued or running gets one (say its job failed for good, or was deleted by hand).
_ORPHAN_JOBS = _JOBS.format(
    rows="inbox",
    more="AND received_at < :cutoff",
    where=(
        "WHERE NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS job "
        "WHERE job.lock = pending.subject_key AND job.status IN ('todo', 'doing'))"
    ),
)
_ORPHANS_SQL = f"""
SELECT coalesce(array_length(procrastinate_defer_jobs_v1(ARRAY({_ORPHAN_JOBS})), 1), 0)
"""

_DROP_SQL = """
DROP TRIGGER IF EXISTS docket_defer_inbox ON inbox;
DROP FUNCTION IF EXISTS docket_defer_inbox();
"""


def conninfo(db_url: str) -> str:
    """The libpq connection string procrastinate's psycopg pool wants, from a store URL."""
    url = make_url(normalize_url(db_url))
    if url.get_backend_name() != "postgresql":
        raise NotDistributed(
            f"the distributed mode needs PostgreSQL; {url.get_backend_name()} is embedded only"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def requeue_orphans(connection: Connection, cutoff: datetime) -> int:
    """Defer a job for each subject whose events wait since before ``cutoff`` with no job."""
    return int(connection.scalar(text(_ORPHANS_SQL), {"cutoff": cutoff}) or 0)


_STALE_JOBS = text(
    "SELECT n_mod_since_analyze > 1000 AND n_mod_since_analyze > n_live_tup / 10 "
    "FROM pg_stat_user_tables WHERE relid = to_regclass('procrastinate_jobs')"
)


def refresh_job_statistics(connection: Connection) -> bool:
    """ANALYZE the job table when it changed a lot since its statistics were taken; True if so.

    Fetching a job with a ``lock`` is planned from these statistics: right after a burst of
    jobs (a bulk submission, a sweep) they still say "a few rows", and PostgreSQL picks a plan
    that reads every waiting job for each fetch (seconds instead of a millisecond) until
    autovacuum, up to a minute or more later, analyzes the table. Checked every few seconds.
    """
    if not connection.scalar(_STALE_JOBS):
        return False
    connection.execute(text("ANALYZE procrastinate_jobs"))
    return True


def mark_subject(connection: Connection, subject: str) -> None:
    """Tell the inbox trigger that this transaction's job processes ``subject``."""
    connection.execute(
        text("SELECT set_config('docket.subject', :subject, true)"), {"subject": subject}
    )


def _execute_script(connection: Connection, script: str) -> None:
    # No parameters: psycopg runs the script as it is (its % signs are not placeholders).
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute(script)


def has_procrastinate(connection: Connection) -> bool:
    return connection.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")) is True


def is_installed(connection: Connection) -> bool:
    """True when this store defers jobs for its inbox (``docket db upgrade --distributed``)."""
    if connection.dialect.name != "postgresql":
        return False
    found = connection.scalar(
        text(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'docket_defer_inbox' AND c.oid = to_regclass('inbox')"
        )
    )
    return bool(found)


def install(db_url: str) -> str:
    """Migrate the store, add procrastinate's schema if missing, then the inbox trigger."""
    conninfo(db_url)  # refuses SQLite with the reason
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            added = not has_procrastinate(connection)
            if added:
                from procrastinate.schema import SchemaManager

                _execute_script(connection, SchemaManager.get_schema())
            _execute_script(connection, _TRIGGER_SQL)
    finally:
        engine.dispose()
    what = "procrastinate schema added" if added else "procrastinate schema present"
    return f"{what} (procrastinate {version('procrastinate')}); inbox events now defer jobs"


def uninstall(db_url: str) -> str:
    """Back to the embedded mode: the inbox stops deferring jobs (procrastinate's tables stay)."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                _execute_script(connection, _DROP_SQL)
    finally:
        engine.dispose()
    return "inbox events no longer defer jobs: run `docket run` (embedded) on this store"


def require_installed(db_url: str) -> None:
    """Raise NotDistributed with what to do unless the store is set up for workers."""
    conninfo(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            ready = has_procrastinate(connection) and is_installed(connection)
    finally:
        engine.dispose()
    if not ready:
        raise NotDistributed(
            "this database is not set up for workers: run `docket db upgrade --distributed`"
        )
