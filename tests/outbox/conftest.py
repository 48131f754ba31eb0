"""Fixtures for the outbox tests: a configuration root per test, an engine, real servers."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme

from engine.config import load_ruleset
from engine.domain.clock import SimulatedClock
from engine.domain.operations import accounts
from engine.outbox.relay import RelayReport, relay_once
from engine.runtime.engine import Engine
from tests.outbox.servers import HttpServer, SmtpServer

CONFIG = Path(__file__).with_name("config")
START = date(2026, 5, 4)  # a Monday; the simulated clock reads 09:00 in Chicago


def make_root(
    folder: Path,
    connectors: str | None = None,
    *,
    quiet_hours: str | None = None,
    when_blocked: str | None = None,
    caps: str | None = None,
    files: Mapping[str, str] | None = None,
) -> Path:
    """A copy of the test agency with a ``connectors:`` section (YAML text) and more files."""
    root = folder / "config"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(CONFIG, root)
    if connectors is not None:
        text = "connectors:\n" + textwrap.indent(textwrap.dedent(connectors).strip(), "  ")
        (root / "rules" / "connectors.yaml").write_text(text + "\n", encoding="utf-8")
    if quiet_hours is not None:
        agency = root / "rules" / "agency.yaml"
        text = agency.read_text(encoding="utf-8")
        start, end = quiet_hours.split("-")
        text = text.replace(
            "contact_policy:\n",
            f'contact_policy:\n  quiet_hours: {{from: "{start}", to: "{end}"}}\n',
        )
        agency.write_text(text, encoding="utf-8")
    if when_blocked is not None:
        agency = root / "rules" / "agency.yaml"
        text = agency.read_text(encoding="utf-8").replace(
            "when_blocked: defer", f"when_blocked: {when_blocked}"
        )
        agency.write_text(text, encoding="utf-8")
    if caps is not None:
        agency = root / "rules" / "agency.yaml"
        text = agency.read_text(encoding="utf-8").replace("  caps:\n", f"  caps:\n    - {caps}\n")
        agency.write_text(text, encoding="utf-8")
    for name, content in (files or {}).items():
        (root / name).write_text(textwrap.dedent(content), encoding="utf-8")
    return root


class Desk:
    """An engine on a test agency with a simulated clock, and the relay at that clock."""

    def __init__(self, root: Path, db_url: str, registry: Any = None) -> None:
        self.root = root
        self.db_url = db_url
        self.ruleset = load_ruleset(root, actions=("place_call",) if registry else ())
        self.clock = SimulatedClock(START, self.ruleset.agency.timezone)
        extra = {"registry": registry} if registry is not None else {}
        self.engine = Engine(self.ruleset, db_url, clock=self.clock, **extra)

    def place(
        self,
        account: str = "A1",
        send: tuple[str, ...] = ("email",),
        *,
        party: str = "P1",
        client: str = "ACME",
        email: str = "dana@example.test",
        phone: str = "+15550100",
        timezone: str | None = None,
        holds: tuple[str, ...] = (),
    ) -> None:
        """Place an account whose placement queues the messages ``send`` names."""
        with self.engine.unit("test") as unit:
            accounts.upsert_party(
                unit,
                {
                    "id": party,
                    "name": "Dana Reyes",
                    "email": email,
                    "phone": phone,
                    "address": "12 Elm Street\nSpringfield, IL 62701",
                    "timezone": timezone,
                },
            )
            accounts.place_account(
                unit,
                id=account,
                client=client,
                parties=[party],
                status="ACTIVE",
                balances={"principal": "1200.00"},
                fields={"send": list(send)},
            )
            for hold in holds:
                accounts.record_hold(unit, account, hold)
        self.engine.process()

    def relay(self, after: timedelta = timedelta(0), **kwargs: Any) -> RelayReport:
        """One relay pass at the clock's now plus ``after``."""
        return relay_once(self.engine, self.clock.now() + after, **kwargs)

    def pay(self, account: str = "A1", amount: str = "10.00") -> None:
        """Post a payment (each queues a receipt SMS) and process its event."""
        self.engine.operate("post_payment", {"account": account, "amount": amount})
        self.engine.process()

    def advance(self, days: int = 1) -> None:
        self.clock.advance(days)

    def now(self) -> datetime:
        return self.clock.now()

    def rows(self) -> list[Any]:
        from sqlalchemy import select

        from engine.domain import models as m

        return self.engine.read(
            lambda s: list(s.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)))
        )

    def row(self, index: int = 0) -> Any:
        return self.rows()[index]

    def close(self) -> None:
        self.engine.close()


MakeDesk = Callable[..., Desk]


@pytest.fixture
def desk(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeDesk]:
    """``desk(connectors_yaml)``: an engine on a fresh database; cwd is the test's folder."""
    monkeypatch.chdir(tmp_path)
    made: list[Desk] = []

    def make(connectors: str | None = None, **kwargs: Any) -> Desk:
        registry = kwargs.pop("registry", None)
        one = Desk(make_root(tmp_path, connectors, **kwargs), db_url, registry)
        made.append(one)
        return one

    yield make
    for one in made:
        one.close()


@pytest.fixture(scope="session")
def fax_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fax plug-in package, ``pip install``-ed into a folder of its own (once)."""
    from tests.outbox.test_plugin import install_plugin

    return install_plugin(tmp_path_factory.mktemp("fax-plugin"))


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def http_server() -> Iterator[Callable[..., HttpServer]]:
    started: list[HttpServer] = []

    def start(**kwargs: Any) -> HttpServer:
        server = HttpServer(**kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    started: list[SmtpServer] = []

    def start(port: int | None = None, **kwargs: Any) -> SmtpServer:
        server = SmtpServer(port, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
