"""settlement tracking: approval date, payment coding, reaching payment, inception snapshot

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "code_payment_as",
                sa.String(length=20),
                nullable=False,
                server_default="settlement",
            )
        )
        batch_op.add_column(sa.Column("reaching_payment_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("snapshot", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        # The daily installment check reads active settlements only.
        batch_op.create_index(batch_op.f("ix_settlements_status"), ["status"], unique=False)
    with op.batch_alter_table("offers", schema=None) as batch_op:
        # The daily term-end check reads the open offers whose end date has passed.
        batch_op.create_index(batch_op.f("ix_offers_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_status"))
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlements_status"))
        batch_op.drop_column("snapshot")
        batch_op.drop_column("reaching_payment_id")
        batch_op.drop_column("code_payment_as")
        batch_op.drop_column("approved_date")
