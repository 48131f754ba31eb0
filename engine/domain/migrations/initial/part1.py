"""Revision 0001 (initial schema), part 1 of 3; frozen, as that revision is."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("bundle", sa.String(length=64), nullable=True),
        sa.Column("court", sa.String(length=200), nullable=True),
        sa.Column("attorney", sa.String(length=200), nullable=True),
        sa.Column("process_server", sa.String(length=200), nullable=True),
        sa.Column("opened_date", sa.Date(), nullable=False),
        sa.Column("serve_response_days", sa.Integer(), nullable=True),
        sa.Column("judgment_id", sa.String(length=64), nullable=True),
        sa.Column("client_auth_request_date", sa.Date(), nullable=True),
        sa.Column("client_auth_date", sa.Date(), nullable=True),
        sa.Column("mediation_date", sa.Date(), nullable=True),
        sa.Column("mediation_resolution_date", sa.Date(), nullable=True),
        sa.Column("summons_request_date", sa.Date(), nullable=True),
        sa.Column("summons_grant_date", sa.Date(), nullable=True),
        sa.Column("serve_request_date", sa.Date(), nullable=True),
        sa.Column("served_date", sa.Date(), nullable=True),
        sa.Column("court_date", sa.Date(), nullable=True),
        sa.Column("file_date", sa.Date(), nullable=True),
        sa.Column("signed_date", sa.Date(), nullable=True),
        sa.Column("judgment_date", sa.Date(), nullable=True),
        sa.Column("dismissed_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cases_client_auth_date"), ["client_auth_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cases_client_auth_request_date"),
            ["client_auth_request_date"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_cases_court_date"), ["court_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_dismissed_date"), ["dismissed_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_file_date"), ["file_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_judgment_date"), ["judgment_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_mediation_date"), ["mediation_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cases_mediation_resolution_date"),
            ["mediation_resolution_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_cases_serve_request_date"), ["serve_request_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_served_date"), ["served_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_signed_date"), ["signed_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_summons_grant_date"), ["summons_grant_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cases_summons_request_date"), ["summons_request_date"], unique=False
        )

    op.create_table(
        "clients",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("judgment", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_clients")),
    )
    op.create_table(
        "event_traces",
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("ruleset_hash", sa.String(length=64), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_traces")),
    )
    op.create_table(
        "fired_dates",
        sa.Column("trigger_id", sa.String(length=120), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("date_value", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("fired_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint(
            "trigger_id", "subject_kind", "subject_id", "date_value", name=op.f("pk_fired_dates")
        ),
    )
    op.create_table(
        "fired_events",
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("trigger_id", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "trigger_id", name=op.f("pk_fired_events")),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("stakeholders", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("suspends_automation", sa.Boolean(), nullable=False),
        sa.Column("opened_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_due_date"), ["due_date"], unique=False)
        batch_op.create_index("ix_follow_ups_owner_due", ["owner", "due_date"], unique=False)

    op.create_table(
        "inbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("subject_key", sa.String(length=80), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("trigger_id", sa.String(length=120), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.Column("ruleset_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_inbox")),
        sa.UniqueConstraint("id", name=op.f("uq_inbox_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_inbox_idempotency_key")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_status_seq", ["status", "seq"], unique=False)
        batch_op.create_index("ix_inbox_subject", ["subject_kind", "subject_id"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_account_id"), ["account_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("template", sa.String(length=200), nullable=True),
        sa.Column("recipient", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("client_code", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("block_reason", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "parties",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_model"), ["model"], unique=False)

    op.create_table(
        "ruleset_versions",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("root", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_ruleset_versions")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("trigger_id", sa.String(length=120), nullable=True),
        sa.Column("path_id", sa.String(length=120), nullable=False),
        sa.Column("ruleset_hash", sa.String(length=64), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_step", sa.String(length=300), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("vars", sa.JSON(), nullable=False),
        sa.Column("resume", sa.JSON(), nullable=True),
        sa.Column("wait_until", sa.Date(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_runs_subject", ["subject_kind", "subject_id", "status"], unique=False
        )
        batch_op.create_index("ix_runs_waiting", ["status", "wait_until"], unique=False)

    op.create_table(
        "scheduler_state",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_scheduler_state")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_case_id"), ["case_id"], unique=False)
