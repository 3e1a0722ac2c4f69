"""Initial schema: offices, visit types, capacity, closures, slots, holds, bookings.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("menu_order", sa.Integer(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "visit_types",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("menu_order", sa.Integer(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
    )
    op.create_table(
        "office_visit_types",
        sa.Column("office_code", sa.String(40), sa.ForeignKey("offices.code"), primary_key=True),
        sa.Column(
            "visit_type_code", sa.String(40), sa.ForeignKey("visit_types.code"), primary_key=True
        ),
    )
    op.create_table(
        "capacity_templates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("office_code", sa.String(40), sa.ForeignKey("offices.code"), nullable=False),
        sa.Column(
            "visit_type_code", sa.String(40), sa.ForeignKey("visit_types.code"), nullable=False
        ),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("end_time", sa.String(5), nullable=False),
        sa.Column("seats_phone", sa.Integer(), nullable=False),
        sa.Column("seats_operator", sa.Integer(), nullable=False),
        sa.Column("seats_counter", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_capacity_office_visit", "capacity_templates", ["office_code", "visit_type_code"]
    )
    op.create_table(
        "closures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("office_code", sa.String(40), sa.ForeignKey("offices.code"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("office_code", "day", name="uq_closure_office_day"),
    )
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("office_code", sa.String(40), sa.ForeignKey("offices.code"), nullable=False),
        sa.Column(
            "visit_type_code", sa.String(40), sa.ForeignKey("visit_types.code"), nullable=False
        ),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("seats_phone", sa.Integer(), nullable=False),
        sa.Column("seats_operator", sa.Integer(), nullable=False),
        sa.Column("seats_counter", sa.Integer(), nullable=False),
        sa.Column("booked_phone", sa.Integer(), nullable=False),
        sa.Column("booked_operator", sa.Integer(), nullable=False),
        sa.Column("booked_counter", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("office_code", "visit_type_code", "starts_at", name="uq_slot_start"),
    )
    op.create_index("ix_slots_office_date", "slots", ["office_code", "local_date"])
    op.create_table(
        "holds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("slot_id", sa.Integer(), sa.ForeignKey("slots.id"), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("caller_number", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_holds_slot_status", "holds", ["slot_id", "status", "expires_at"])
    op.create_index("ix_holds_caller_created", "holds", ["caller_number", "created_at"])
    op.create_table(
        "identity_locks",
        sa.Column("identity_hash", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(8), nullable=False, unique=True),
        sa.Column("slot_id", sa.Integer(), sa.ForeignKey("slots.id"), nullable=False),
        sa.Column("office_code", sa.String(40), sa.ForeignKey("offices.code"), nullable=False),
        sa.Column(
            "visit_type_code", sa.String(40), sa.ForeignKey("visit_types.code"), nullable=False
        ),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("caller_number", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("identity_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("hold_id", sa.String(32), nullable=True),
        sa.Column("idempotency_key", sa.String(100), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_bookings_caller_status", "bookings", ["caller_number", "status"])
    op.create_index("ix_bookings_identity", "bookings", ["identity_hash", "created_at"])
    op.create_index("ix_bookings_office_date", "bookings", ["office_code", "local_date"])
    op.create_index("ix_bookings_slot", "bookings", ["slot_id"])


def downgrade() -> None:
    for table in (
        "bookings",
        "identity_locks",
        "holds",
        "slots",
        "closures",
        "capacity_templates",
        "office_visit_types",
        "visit_types",
        "offices",
    ):
        op.drop_table(table)
