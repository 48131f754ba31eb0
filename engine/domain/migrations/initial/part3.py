"""Revision 0001 (initial schema), part 3 of 3; frozen, as that revision is."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.domain.models.base


def create() -> None:
    op.create_table(
        "status_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("old", sa.String(length=40), nullable=True),
        sa.Column("new", sa.String(length=40), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_status_history_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_history")),
    )
    with op.batch_alter_table("status_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_history_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("spreader", sa.String(length=64), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("reversed", sa.Boolean(), nullable=False),
        sa.Column("client_code", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_transactions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["transactions.id"], name=op.f("fk_transactions_parent_id_transactions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transactions_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transactions_client_code"), ["client_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transactions_on_date"), ["on_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_transactions_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "worklist_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("old", sa.String(length=64), nullable=True),
        sa.Column("new", sa.String(length=64), nullable=False),
        sa.Column("next_work_date", sa.Date(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_worklist_history_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worklist_history")),
    )
    with op.batch_alter_table("worklist_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_worklist_history_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.String(length=20), nullable=False),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_allocations_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_allocations_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocations_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_allocations_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "installments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_installments_settlement_id_settlements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installments")),
    )
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_installments_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_installments_settlement_id"), ["settlement_id"], unique=False
        )

    op.create_table(
        "judgment_spreads",
        sa.Column("judgment_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_judgment_spreads_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["judgment_id"],
            ["judgments.id"],
            name=op.f("fk_judgment_spreads_judgment_id_judgments"),
        ),
        sa.PrimaryKeyConstraint("judgment_id", "account_id", name=op.f("pk_judgment_spreads")),
    )
    op.create_table(
        "settlement_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("claimant", sa.String(length=64), nullable=True),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_settlement_claims_settlement_id_settlements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_claims")),
    )
    with op.batch_alter_table("settlement_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_claims_settlement_id"), ["settlement_id"], unique=False
        )

    # ### end Alembic commands ###
