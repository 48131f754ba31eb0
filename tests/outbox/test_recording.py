"""Issue 16, finding 1: an email the server accepted is never sent again because the write
that records it failed; one whose fate is truly unknown waits in doubt for an admin.

The SMTP server and the store are real; the store is made to refuse the record's statement
(what SQLite answers when another writer holds its lock) at the moment that matters.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import event

from engine.cli.main import _register, cli
from engine.outbox import LEASE_SECONDS, Unrecorded
from engine.scheduler.service import SchedulerService
from tests.outbox.conftest import Desk, MakeDesk
from tests.outbox.test_smtp import smtp_connector

_register()

AFTER_LEASE = timedelta(seconds=LEASE_SECONDS + 1)


class Refuse:
    """The store refuses the statement that records a message as sent, ``times`` times."""

    def __init__(self, one: Desk, message: str, times: int) -> None:
        self.message, self.left, self.refused = message, times, 0
        self.db = one.engine.db
        event.listen(self.db, "before_cursor_execute", self.check)

    def check(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        recording = (
            statement.lstrip().upper().startswith("UPDATE OUTBOX") and "sent_at" in statement
        )
        if recording and self.left:
            self.left -= 1
            self.refused += 1
            raise conn.dialect.loaded_dbapi.OperationalError(self.message)

    def stop(self) -> None:
        event.remove(self.db, "before_cursor_execute", self.check)


def test_a_record_refused_once_as_locked_is_written_again_and_the_email_not_resent(
    desk: MakeDesk, smtp_server
) -> None:
    server = smtp_server()
    one = desk(smtp_connector(server.port))
    one.place(send=("email",))
    refuse = Refuse(one, "database is locked", times=1)

    report = one.relay()

    assert refuse.refused == 1  # the server had accepted the email when the write failed
    assert report.sent == [1] and report.unrecorded == []
    row = one.row()
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, one.now())
    later = one.relay(AFTER_LEASE)  # long after: nothing is left to recover or send
    assert later.sent == later.recovered == later.in_doubt == []
    assert len(server.received) == 1


def test_an_outcome_the_store_keeps_refusing_is_kept_and_written_by_the_next_pass(
    desk: MakeDesk, smtp_server
) -> None:
    server = smtp_server()
    one = desk(smtp_connector(server.port))
    one.place(send=("email",))
    memory = Unrecorded()  # what the scheduler service keeps across its relay passes
    refuse = Refuse(one, "database or disk is full", times=100)

    first = one.relay(unrecorded=memory)

    assert first.unrecorded == [1] and first.sent == []
    assert one.row().status == "sending" and len(memory) == 1
    refuse.stop()
    # The next pass comes after the lease ran out: the kept outcome is written first, so the
    # row is never taken for one a dead relay left behind.
    second = one.relay(AFTER_LEASE, unrecorded=memory)

    assert second.sent == [1] and second.in_doubt == [] and second.recovered == []
    assert one.row().status == "sent" and len(memory) == 0
    assert len(server.received) == 1


def test_a_stopping_service_writes_the_outcomes_it_kept(desk: MakeDesk, smtp_server) -> None:
    server = smtp_server()
    one = desk(smtp_connector(server.port))
    one.place(send=("email",))
    service = SchedulerService(one.engine)  # docket run's scheduler, which owns the memory
    refuse = Refuse(one, "database or disk is full", times=100)
    assert one.relay(unrecorded=service.unrecorded).unrecorded == [1]
    refuse.stop()  # space freed before the service stops

    service.shutdown()

    assert one.row().status == "sent" and len(service.unrecorded) == 0
    assert len(server.received) == 1


def test_an_email_whose_record_was_lost_waits_in_doubt_and_the_outbox_says_why(
    desk: MakeDesk, smtp_server
) -> None:
    server = smtp_server()
    one = desk(smtp_connector(server.port))
    one.place(send=("email",))
    refuse = Refuse(one, "database or disk is full", times=100)
    assert one.relay().unrecorded == [1]  # the pass's memory dies with it: a crash
    refuse.stop()

    report = one.relay(AFTER_LEASE)

    assert report.in_doubt == [1] and report.sent == [] and report.recovered == []
    assert one.relay(AFTER_LEASE * 2).sent == []  # it does not go out by itself
    assert len(server.received) == 1
    args = ["--config", str(one.root), "--db", one.db_url]
    listed = CliRunner().invoke(cli, ["outbox", "list", "--status", "in_doubt", *args])
    assert listed.exit_code == 0, listed.output
    assert "in_doubt" in listed.output
    why = " ".join(listed.output.split())
    assert "delivery in doubt: the relay stopped after handing it to connector 'mail' (smtp)" in why
    assert "smtp does not drop a repeat by key, so it is not sent again by itself" in why
    assert "`docket outbox retry 1` (send again) or `docket outbox cancel 1`" in why
    shown = CliRunner().invoke(cli, ["outbox", "show", "1", *args])
    assert "delivery in doubt" in shown.output

    # The admin checked: it never arrived. Retried by hand, it goes out (same Message-ID).
    assert CliRunner().invoke(cli, ["outbox", "retry", "1", *args]).exit_code == 0
    assert one.relay(AFTER_LEASE * 2).sent == [1]
    ids = {mail.message["Message-ID"] for mail in server.received}
    assert len(server.received) == 2 and len(ids) == 1
