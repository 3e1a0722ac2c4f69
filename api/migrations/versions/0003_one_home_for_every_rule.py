"""Every moment as timestamptz; the live holds and the seat arithmetic as functions of their own.

Why timestamptz: asyncpg reads ``timestamp`` as naive datetimes and writes aware ones only
after the caller strips their zone, so every statement and every row needed a conversion
(``UtcDateTime``, a record class converting on access). A ``timestamptz`` is aware both ways;
the stored instants do not change (``AT TIME ZONE 'UTC'``: the columns held naive UTC).

Why two functions: availability and the hold decided "how many seats are free" twice, in
Python and in PL/pgSQL. Now ``slot_service_live_holds`` (a slot's unexpired active holds per
channel) and ``slot_service_free_seats`` (the borrow-window arithmetic) are the one
definition; availability's query and ``slot_service_take_hold`` both call them. Both are
plain SQL functions that PostgreSQL inlines into the calling query, so they cost no call.

``slot_service_take_hold`` and ``slot_service_book_hold`` are those of 0002 with timestamptz
parameters (a ``timestamp`` parameter would convert through the session's TimeZone), and the
hold's capacity check goes through the two functions; their rules, order and outcome words are
unchanged. The booking function is 0002's text with that one change made here (0002 is frozen,
so its rules stay written once). The downgrade restores 0002's columns and functions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MOMENTS = {
    "closures": ("created_at",),
    "slots": ("starts_at", "ends_at"),
    "holds": ("created_at", "expires_at"),
    "bookings": ("starts_at", "created_at", "updated_at"),
}

OLD_SIGNATURES = (
    "slot_service_take_hold(varchar, integer, varchar, varchar, varchar, timestamp, timestamp,"
    " timestamp, integer, timestamp, timestamp)",
    "slot_service_book_hold(varchar, varchar, varchar, varchar, varchar, varchar, varchar,"
    " timestamp, timestamp, timestamp, integer, integer, boolean)",
)
NEW_SIGNATURES = (
    "slot_service_take_hold(varchar, integer, varchar, varchar, varchar, timestamptz,"
    " timestamptz, timestamptz, integer, timestamptz, timestamptz)",
    "slot_service_book_hold(varchar, varchar, varchar, varchar, varchar, varchar, varchar,"
    " timestamptz, timestamptz, timestamptz, integer, integer, boolean)",
    "slot_service_free_seats(slots, varchar, integer, integer, integer, timestamptz)",
    "slot_service_live_holds(integer, timestamptz)",
)

LIVE_HOLDS = """
CREATE FUNCTION slot_service_live_holds(p_slot_id integer, p_now timestamptz)
RETURNS TABLE (phone integer, operator integer, counter integer)
LANGUAGE sql STABLE AS $body$
    -- a hold takes a seat while it is active and unexpired; no sweeper needed for that
    SELECT count(*) FILTER (WHERE h.channel = 'phone')::integer,
           count(*) FILTER (WHERE h.channel = 'operator')::integer,
           count(*) FILTER (WHERE h.channel = 'counter')::integer
      FROM holds h
     WHERE h.slot_id = p_slot_id AND h.status = 'active' AND h.expires_at > p_now
$body$
"""

FREE_SEATS = """
CREATE FUNCTION slot_service_free_seats(
    slot slots, p_channel varchar, p_live_phone integer, p_live_operator integer,
    p_live_counter integer, p_borrow_until timestamptz)
RETURNS integer
LANGUAGE sql IMMUTABLE AS $body$
    -- never more than the slot's total free seats; outside the borrow window (a slot starting
    -- after p_borrow_until) also no more than the channel's own quota. least() skips the
    -- NULL of "inside the window".
    SELECT greatest(0, least(
        slot.seats_phone + slot.seats_operator + slot.seats_counter
            - slot.booked_phone - slot.booked_operator - slot.booked_counter
            - p_live_phone - p_live_operator - p_live_counter,
        CASE
            WHEN slot.starts_at <= p_borrow_until THEN NULL
            WHEN p_channel = 'phone' THEN slot.seats_phone - slot.booked_phone - p_live_phone
            WHEN p_channel = 'operator'
                THEN slot.seats_operator - slot.booked_operator - p_live_operator
            WHEN p_channel = 'counter'
                THEN slot.seats_counter - slot.booked_counter - p_live_counter
            ELSE 0
        END))
$body$
"""

TAKE_HOLD = """
CREATE FUNCTION slot_service_take_hold(
    p_hold_id varchar, p_slot_id integer, p_channel varchar, p_caller varchar,
    p_language varchar, p_now timestamptz, p_expires_at timestamptz,
    p_recent_since timestamptz, p_max_recent integer, p_earliest_start timestamptz,
    p_borrow_until timestamptz,
    OUT outcome varchar, OUT slot_office varchar)
LANGUAGE plpgsql VOLATILE AS $body$
DECLARE
    slot slots%ROWTYPE;
    recent integer;
    live record;
BEGIN
    SELECT * INTO slot FROM slots s WHERE s.id = p_slot_id FOR UPDATE;
    -- after the lock (a later statement, a fresh snapshot): every committed hold counts
    SELECT count(*) INTO recent FROM holds h
     WHERE h.caller_number = p_caller AND h.created_at > p_recent_since;
    slot_office := slot.office_code;
    IF recent >= p_max_recent THEN outcome := 'hold-limit'; RETURN; END IF;
    IF slot.id IS NULL THEN outcome := 'slot-not-found'; RETURN; END IF;
    IF slot.closed THEN outcome := 'office-closed'; RETURN; END IF;
    IF slot.starts_at < p_earliest_start THEN outcome := 'too-late'; RETURN; END IF;
    SELECT * INTO live FROM slot_service_live_holds(p_slot_id, p_now);
    IF slot_service_free_seats(slot, p_channel, live.phone, live.operator, live.counter,
                               p_borrow_until) <= 0 THEN
        outcome := 'slot-full'; RETURN;
    END IF;
    INSERT INTO holds (id, slot_id, channel, caller_number, language, status, created_at,
                       expires_at)
    VALUES (p_hold_id, p_slot_id, p_channel, p_caller, p_language, 'active', p_now,
            p_expires_at);
    outcome := 'held';
END $body$
"""

def _retype(timezone: bool) -> None:
    for table, columns in MOMENTS.items():
        for column in columns:
            op.alter_column(
                table,
                column,
                type_=sa.DateTime(timezone=timezone),
                existing_nullable=False,
                postgresql_using=f"{column} AT TIME ZONE 'UTC'",
            )


def upgrade() -> None:
    for signature in OLD_SIGNATURES:
        op.execute(f"DROP FUNCTION {signature}")
    _retype(timezone=True)
    # its only moments are its parameters: each becomes a timestamptz
    book_hold = re.sub(r"\btimestamp\b", "timestamptz", _revision_0002().BOOK_HOLD)
    for definition in (LIVE_HOLDS, FREE_SEATS, TAKE_HOLD, book_hold):
        op.execute(definition)


def _revision_0002() -> ModuleType:
    """0002's module, for its function definitions (migrations are files, not a package)."""
    path = Path(__file__).with_name("0002_booking_functions.py")
    spec = importlib.util.spec_from_file_location("slot_service_migration_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    for signature in NEW_SIGNATURES:
        op.execute(f"DROP FUNCTION {signature}")
    _retype(timezone=False)
    previous = _revision_0002()
    op.execute(previous.TAKE_HOLD)
    op.execute(previous.BOOK_HOLD)
