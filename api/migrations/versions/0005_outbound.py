"""Outbound calls: the notices owed to callers, every attempt to reach them, the opted-out numbers.

``outbound_notices`` holds one row per booking and event (a reminder for the visit's day, a
closure that cancelled the booking): the unique key ``(booking_id, kind, event)`` is the rule
"one call per booking per event", kept by the database whatever the job does twice.
``outbound_attempts`` holds every call placed for a notice, its outcome once known (NULL while
the call is in progress), and the reference of a booking made in the call.
``outbound_opt_outs`` holds the numbers whose owner pressed 9 ("do not call me"); the planner
never places a call to one of them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbound_opt_outs",
        sa.Column("caller_number", sa.String(16), primary_key=True),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
    )
    op.create_table(
        "outbound_notices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMPTZ, nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.UniqueConstraint("booking_id", "kind", "event", name="uq_outbound_notice_event"),
    )
    op.create_index("ix_outbound_notices_due", "outbound_notices", ["status", "next_attempt_at"])
    op.create_table(
        "outbound_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "notice_id", sa.Integer(), sa.ForeignKey("outbound_notices.id"), nullable=False
        ),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", TIMESTAMPTZ, nullable=False),
        sa.Column("ended_at", TIMESTAMPTZ, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("new_booking_reference", sa.String(8), nullable=True),
        sa.UniqueConstraint("notice_id", "attempt", name="uq_outbound_attempt"),
    )


def downgrade() -> None:
    op.drop_table("outbound_attempts")
    op.drop_index("ix_outbound_notices_due", table_name="outbound_notices")
    op.drop_table("outbound_notices")
    op.drop_table("outbound_opt_outs")
