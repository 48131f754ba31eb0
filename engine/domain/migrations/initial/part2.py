"""Revision 0001 (initial schema), part 2 of 3; frozen, as that revision is."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.domain.models.base


def create() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_code", sa.String(length=40), nullable=False),
        sa.Column("bundle", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("worklist", sa.String(length=64), nullable=True),
        sa.Column("next_work_date", sa.Date(), nullable=True),
        sa.Column("placed_date", sa.Date(), nullable=True),
        sa.Column("last_payment_date", sa.Date(), nullable=True),
        sa.Column("is_judgment", sa.Boolean(), nullable=False),
        sa.Column("judgment_id", sa.String(length=64), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("holds", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column(
            "principal", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "interest", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "fees", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "court_costs",
            engine.domain.models.base.MoneyType(precision=14, scale=2),
            nullable=False,
        ),
        sa.Column(
            "attorney_fees",
            engine.domain.models.base.MoneyType(precision=14, scale=2),
            nullable=False,
        ),
        sa.Column(
            "other", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "overpayment",
            engine.domain.models.base.MoneyType(precision=14, scale=2),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_code"], ["clients.code"], name=op.f("fk_accounts_client_code_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_bundle"), ["bundle"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_client_code"), ["client_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_judgment_id"), ["judgment_id"], unique=False)
        batch_op.create_index(
            "ix_accounts_worklist_next", ["worklist", "next_work_date"], unique=False
        )

    op.create_table(
        "case_defendants",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_defendants_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_case_defendants_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("case_id", "party_id", name=op.f("pk_case_defendants")),
    )
    op.create_table(
        "case_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_documents_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_documents")),
    )
    with op.batch_alter_table("case_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_documents_case_id"), ["case_id"], unique=False)

    op.create_table(
        "follow_up_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("follow_up_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_ups.id"],
            name=op.f("fk_follow_up_entries_follow_up_id_follow_ups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_entries")),
    )
    with op.batch_alter_table("follow_up_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_entries_follow_up_id"), ["follow_up_id"], unique=False
        )

    op.create_table(
        "account_parties",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_parties_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_account_parties_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("account_id", "party_id", name=op.f("pk_account_parties")),
    )
    with op.batch_alter_table("account_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_parties_party_id"), ["party_id"], unique=False)

    op.create_table(
        "case_accounts",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("authorized_date", sa.Date(), nullable=True),
        sa.Column(
            "proposed_spread",
            engine.domain.models.base.MoneyType(precision=14, scale=2),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_case_accounts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_accounts_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "account_id", name=op.f("pk_case_accounts")),
    )
    with op.batch_alter_table("case_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_accounts_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "judgments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("client_code", sa.String(length=40), nullable=False),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "interest_rate",
            engine.domain.models.base.RateType(precision=12, scale=6),
            nullable=False,
        ),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("judgment_date", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_judgments_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_judgments_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["client_code"], ["clients.code"], name=op.f("fk_judgments_client_code_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgments")),
    )
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judgments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "offers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column("term_days", sa.Integer(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("initiated_date", sa.Date(), nullable=False),
        sa.Column("offer_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("settlement_type", sa.String(length=60), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_offers_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_end_date"), ["end_date"], unique=False)

    op.create_table(
        "settlements",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column(
            "amount", engine.domain.models.base.MoneyType(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "calculated_amount",
            engine.domain.models.base.MoneyType(precision=14, scale=2),
            nullable=True,
        ),
        sa.Column("inception_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outside_authority", sa.Boolean(), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("reached_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_settlements_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlements_account_id"), ["account_id"], unique=False)
