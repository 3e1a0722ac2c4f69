"""The office desk: closures of a day or part of one that cancel the bookings they hit, and
the check-in moment of a booking.

- ``closures`` gains ``starts_at``/``ends_at`` (both NULL: the whole day; else the instants of
  the closed part, ``starts_at < ends_at``), ``created_by`` (the role that closed) and
  ``reopened_at`` (a reopened closure stays: the bookings it cancelled point at it). The
  unique office-and-day constraint goes: a day may have several partial closures; overlaps
  are refused by the service, which serialises the closures of an office on its row.
- ``bookings.cancelled_by_closure_id`` names the closure that cancelled a booking (the
  outbound notices find their callers by it); ``bookings.attendance_at`` is when the desk
  marked the booking arrived (``attended``) or ``no-show``.

The downgrade drops these columns; of several closures of one office and day it keeps the
first, and it forgets reopened ones (0003 deleted a closure on reopening).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_constraint("uq_closure_office_day", "closures", type_="unique")
    op.add_column("closures", sa.Column("starts_at", TIMESTAMPTZ, nullable=True))
    op.add_column("closures", sa.Column("ends_at", TIMESTAMPTZ, nullable=True))
    op.add_column(
        "closures",
        sa.Column("created_by", sa.String(10), nullable=False, server_default="admin"),
    )
    op.alter_column("closures", "created_by", server_default=None)
    op.add_column("closures", sa.Column("reopened_at", TIMESTAMPTZ, nullable=True))
    op.create_check_constraint(
        "ck_closures_range",
        "closures",
        "(starts_at IS NULL AND ends_at IS NULL) OR (starts_at < ends_at)",
    )
    op.create_index("ix_closures_office_day", "closures", ["office_code", "day"])
    op.add_column(
        "bookings",
        sa.Column(
            "cancelled_by_closure_id",
            sa.Integer(),
            sa.ForeignKey("closures.id", name="fk_bookings_cancelled_by_closure"),
            nullable=True,
        ),
    )
    op.create_index("ix_bookings_closure", "bookings", ["cancelled_by_closure_id"])
    op.add_column("bookings", sa.Column("attendance_at", TIMESTAMPTZ, nullable=True))


def downgrade() -> None:
    op.drop_column("bookings", "attendance_at")
    op.drop_index("ix_bookings_closure", "bookings")
    op.drop_column("bookings", "cancelled_by_closure_id")
    op.execute("DELETE FROM closures WHERE reopened_at IS NOT NULL")
    op.execute(
        "DELETE FROM closures c USING closures first"
        " WHERE c.office_code = first.office_code AND c.day = first.day AND c.id > first.id"
    )
    op.drop_index("ix_closures_office_day", "closures")
    op.drop_constraint("ck_closures_range", "closures", type_="check")
    for column in ("reopened_at", "created_by", "ends_at", "starts_at"):
        op.drop_column("closures", column)
    op.create_unique_constraint("uq_closure_office_day", "closures", ["office_code", "day"])
