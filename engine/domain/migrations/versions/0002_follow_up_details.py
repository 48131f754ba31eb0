"""follow-up title, resolved date and case index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("resolved_date", sa.Date(), nullable=True))
        # The automation suspension looks follow-ups up by case as well as by account.
        batch_op.create_index(batch_op.f("ix_follow_ups_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_case_id"))
        batch_op.drop_column("resolved_date")
        batch_op.drop_column("title")
