"""The console in a real browser (the system's headless Chromium through Playwright): sign
in, walk every page, complete a task, retry a dead letter, re-drive a failed event, and a
viewer kept out of the admin pages. ``DOCKET_SCREENSHOTS=DIR`` saves the main pages there
(docs/console.md shows them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.domain import models as m
from tests.console.conftest import Desk

pytestmark = pytest.mark.slow
SHOTS = os.environ.get("DOCKET_SCREENSHOTS")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def _sign_in(browser: Any, desk: Desk, role: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{desk.url}/console/accounts/A1")  # a deep link: sign in, then back there
    assert page.url.startswith(f"{desk.url}/console/login")
    page.get_by_label("Token").fill(desk.tokens[role])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{desk.url}/console/accounts/A1")
    return page


def test_an_admin_walks_every_page_and_works_the_queues(served: Desk, browser: Any) -> None:
    desk = served
    page = _sign_in(browser, desk, "admin")

    # The account: pill, balances, parties, case, judgment, timeline with why.
    assert page.get_by_role("heading", level=1).inner_text().startswith("Account A1")
    assert page.locator(".pill").first.inner_text() == "ACTIVE JUDGMENT"
    assert page.get_by_role("table", name="Balances").get_by_text("869.31").is_visible()
    assert page.get_by_role("heading", name="Judgment J1").is_visible()
    timeline = page.locator("ol.timeline")
    assert timeline.get_by_text("onCaseJudgment").first.is_visible()
    _shot(page, "account")

    # An event's trace, from the timeline.
    timeline.get_by_role("link", name="onCaseJudgment").first.click()
    assert page.get_by_role("heading", name="Triggers considered").is_visible()
    assert page.get_by_role("cell", name="ran").first.is_visible()

    # Worklists by next-work date, with paging.
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Worklists").click()
    page.get_by_role("navigation", name="Worklists").get_by_role("link").filter(
        has_text="New business"
    ).click()
    caption = page.locator("caption").inner_text()
    assert "page 1 of 2" in caption, caption
    _shot(page, "worklist")
    page.get_by_role("link", name="Next page").click()
    assert "page 2 of 2" in page.locator("caption").inner_text()

    # Tasks: complete one with a note.
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Tasks").click()
    first = page.locator("tbody tr").first.locator("td").first.inner_text()
    page.get_by_label("Note for task").first.fill("Clerk confirmed the hearing")
    _shot(page, "tasks")
    page.get_by_role("button", name="Complete task").first.click()
    assert "completed" in page.get_by_role("status").inner_text()
    done = desk.engine.read(
        lambda s: list(s.scalars(select(m.Task.title).where(m.Task.status == "done")))
    )
    assert done == [first]
    assert page.get_by_role("cell", name=first, exact=True).count() == 0  # off the open list

    # Rules: the graph, coverage, and a node's source line.
    page.get_by_role("link", name="Rules").click()
    assert page.get_by_role("img", name="Trigger and path graph").is_visible()
    assert page.get_by_text("never fired").first.is_visible()
    _shot(page, "rules")
    page.locator("table").first.get_by_role("link").first.click()
    assert page.locator("pre.source").is_visible()
    assert ":target" not in page.url and "#L" in page.url

    # Outbox: retry the dead letter.
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("button", name="Retry message").first.click()
    assert "queued again" in page.get_by_role("status").inner_text()
    statuses = desk.engine.read(lambda s: set(s.scalars(select(m.OutboxMessage.status))))
    assert "dead" not in statuses
    _shot(page, "outbox")

    # Failed events: re-drive one (the answer is shown, whatever it is).
    page.get_by_role("link", name="Failed events").click()
    page.get_by_role("button", name="Re-drive event").first.click()
    assert page.get_by_role("status").inner_text().startswith("Event ")

    # Versions, then sign out.
    page.get_by_role("link", name="Versions").click()
    assert page.get_by_text("running here").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{desk.url}/console/login")
    page.goto(f"{desk.url}/console/tasks")
    assert page.url.startswith(f"{desk.url}/console/login")


def test_a_viewer_reads_accounts_but_never_reaches_admin_pages(served: Desk, browser: Any) -> None:
    page = _sign_in(browser, served, "viewer")
    nav = page.get_by_role("navigation", name="Console")
    assert nav.get_by_role("link", name="Rules").count() == 0
    assert nav.get_by_role("link", name="Outbox").count() == 0
    for path in ("rules", "outbox", "failed", "versions"):
        answer = page.goto(f"{served.url}/console/{path}")
        assert answer is not None and answer.status == 403
        assert page.get_by_role("alert").inner_text().startswith("this page needs the admin role")
    page.goto(f"{served.url}/console/tasks")
    assert page.get_by_role("button", name="Complete task").count() == 0


def test_every_page_is_usable_by_keyboard(served: Desk, browser: Any) -> None:
    page = _sign_in(browser, served, "admin")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for path in ("", "/worklists", "/tasks", "/rules", "/outbox", "/failed", "/versions"):
        page.goto(f"{served.url}/console{path}")
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), button')]
                 .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                              && !e.textContent.trim()).length"""
        )
        assert unlabelled == 0, path
        assert page.locator("h1").count() == 1, path
