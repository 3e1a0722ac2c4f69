"""PostgreSQL: a hold and a booking from a hold as one server-side function each.

Why: on PostgreSQL a hold was five round trips (BEGIN, slot lock, counts, insert, COMMIT)
and a booking six; each costs the service CPU in asyncpg and PostgreSQL a statement. Under
READ COMMITTED a capacity check must read after its lock, in a later statement, so neither
step fits one plain statement. A VOLATILE PL/pgSQL function runs its statements one after
the other, each with a fresh snapshot, in one round trip and without BEGIN/COMMIT.

The functions decide with the same rules, in the same order, as the Python of
``api.services.holds`` and ``api.services.bookings`` (which SQLite runs) and answer with the
same outcome words (``api.services.outcomes``); the Python maps either answer to the same
error or result. The rules' figures (limits, notice, borrow window, expiry) stay settings:
the service passes them in as times and counts. ``tests/api`` runs the rule tests and the
stateful model test on both databases, so the two implementations cannot drift apart
unnoticed. Nothing is written on a refusal: every check comes before the first write.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TAKE_HOLD = """
CREATE FUNCTION slot_service_take_hold(
    p_hold_id varchar, p_slot_id integer, p_channel varchar, p_caller varchar,
    p_language varchar, p_now timestamp, p_expires_at timestamp, p_recent_since timestamp,
    p_max_recent integer, p_earliest_start timestamp, p_borrow_until timestamp,
    OUT outcome varchar, OUT slot_office varchar)
LANGUAGE plpgsql VOLATILE AS $body$
DECLARE
    slot slots%ROWTYPE;
    recent integer;
    live_phone integer;
    live_operator integer;
    live_counter integer;
    free integer;
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
    SELECT count(*) FILTER (WHERE h.channel = 'phone'),
           count(*) FILTER (WHERE h.channel = 'operator'),
           count(*) FILTER (WHERE h.channel = 'counter')
      INTO live_phone, live_operator, live_counter
      FROM holds h
     WHERE h.slot_id = p_slot_id AND h.status = 'active' AND h.expires_at > p_now;
    -- api.services.seats.free_seats: the slot's total, and outside the borrow window
    -- also the channel's own quota
    free := slot.seats_phone + slot.seats_operator + slot.seats_counter
        - slot.booked_phone - slot.booked_operator - slot.booked_counter
        - live_phone - live_operator - live_counter;
    IF slot.starts_at > p_borrow_until THEN
        free := least(free, CASE p_channel
            WHEN 'phone' THEN slot.seats_phone - slot.booked_phone - live_phone
            WHEN 'operator' THEN slot.seats_operator - slot.booked_operator - live_operator
            WHEN 'counter' THEN slot.seats_counter - slot.booked_counter - live_counter
            ELSE 0
        END);
    END IF;
    IF free <= 0 THEN outcome := 'slot-full'; RETURN; END IF;
    INSERT INTO holds (id, slot_id, channel, caller_number, language, status, created_at,
                       expires_at)
    VALUES (p_hold_id, p_slot_id, p_channel, p_caller, p_language, 'active', p_now,
            p_expires_at);
    outcome := 'held';
END $body$
"""

BOOK_HOLD = """
CREATE FUNCTION slot_service_book_hold(
    p_hold_id varchar, p_channel varchar, p_caller varchar, p_language varchar,
    p_identity varchar, p_idempotency_key varchar, p_reference varchar, p_now timestamp,
    p_window_start timestamp, p_earliest_start timestamp, p_max_active_same_type integer,
    p_max_recent integer, p_replay boolean,
    OUT outcome varchar, OUT booking_id integer, OUT slot_id integer,
    OUT slot_office varchar, OUT slot_visit_type varchar, OUT slot_starts_at timestamp,
    OUT slot_local_date date)
LANGUAGE plpgsql VOLATILE AS $body$
DECLARE
    held holds%ROWTYPE;
    slot slots%ROWTYPE;
    replay_hold varchar;
    counted integer;
BEGIN
    -- the identity first (lock order: identity, then slots), so its counts and an earlier
    -- booking with the same key, read by the later statements, are current
    INSERT INTO identity_locks AS l (identity_hash, version) VALUES (p_identity, 0)
    ON CONFLICT (identity_hash) DO UPDATE SET version = l.version + 1;
    IF p_idempotency_key IS NOT NULL THEN
        SELECT b.id, b.hold_id INTO booking_id, replay_hold
          FROM bookings b WHERE b.idempotency_key = p_idempotency_key;
        IF booking_id IS NOT NULL THEN
            outcome := CASE WHEN p_replay AND replay_hold = p_hold_id
                            THEN 'replay' ELSE 'idempotency-conflict' END;
            RETURN;
        END IF;
    END IF;
    SELECT * INTO held FROM holds h WHERE h.id = p_hold_id;
    IF held.id IS NULL OR held.channel <> p_channel OR held.caller_number <> p_caller
       OR held.status <> 'active' THEN
        outcome := 'hold-not-found'; RETURN;
    END IF;
    IF held.expires_at <= p_now THEN outcome := 'hold-expired'; RETURN; END IF;
    SELECT * INTO slot FROM slots s WHERE s.id = held.slot_id FOR UPDATE;
    slot_id := slot.id;
    slot_office := slot.office_code;
    slot_visit_type := slot.visit_type_code;
    slot_starts_at := slot.starts_at;
    slot_local_date := slot.local_date;
    IF slot.closed THEN outcome := 'office-closed'; RETURN; END IF;
    IF slot.starts_at < p_earliest_start THEN outcome := 'too-late'; RETURN; END IF;
    SELECT count(*) INTO counted FROM bookings b
     WHERE b.identity_hash = p_identity AND b.visit_type_code = slot.visit_type_code
       AND b.status = 'confirmed';
    IF counted >= p_max_active_same_type THEN
        outcome := 'identity-limit-visit-type'; RETURN;
    END IF;
    SELECT count(*) INTO counted FROM bookings b
     WHERE b.identity_hash = p_identity AND b.created_at > p_window_start
       AND b.status <> 'cancelled';
    IF counted >= p_max_recent THEN outcome := 'identity-limit-window'; RETURN; END IF;
    -- the hold may have been booked or released since it was read: only an active one counts
    UPDATE holds h SET status = 'booked'
     WHERE h.id = p_hold_id AND h.status = 'active' AND h.expires_at > p_now;
    IF NOT FOUND THEN outcome := 'hold-used'; RETURN; END IF;
    UPDATE slots s SET
        booked_phone = s.booked_phone + (p_channel = 'phone')::integer,
        booked_operator = s.booked_operator + (p_channel = 'operator')::integer,
        booked_counter = s.booked_counter + (p_channel = 'counter')::integer,
        version = s.version + 1
     WHERE s.id = slot.id;
    INSERT INTO bookings (reference, slot_id, office_code, visit_type_code, starts_at,
                          local_date, caller_number, language, identity_hash, channel, status,
                          hold_id, idempotency_key, created_at, updated_at)
    VALUES (p_reference, slot.id, slot.office_code, slot.visit_type_code, slot.starts_at,
            slot.local_date, p_caller, p_language, p_identity, p_channel, 'confirmed',
            p_hold_id, p_idempotency_key, p_now, p_now)
    RETURNING id INTO booking_id;
    outcome := 'booked';
END $body$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite runs the same rules in Python
    op.execute(TAKE_HOLD)
    op.execute(BOOK_HOLD)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION slot_service_book_hold")
    op.execute("DROP FUNCTION slot_service_take_hold")
