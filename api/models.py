"""SQLAlchemy 2.0 typed models of the slot service.

Seat accounting, the invariant everything else protects: for every slot,
``booked_phone + booked_operator + booked_counter + live holds <= seats``. Confirmed bookings are
counted on the slot row (changed only while that row is locked); holds are counted from the
``holds`` table with ``expires_at > now`` at the moment of the check, so an expired hold never
counts, whether or not a sweeper ever marks it. The counting and the seat arithmetic are the
PostgreSQL functions ``slot_service_live_holds`` and ``slot_service_free_seats`` (migration
0003), used by availability and by the hold function alike.

Times are ``timestamptz`` (``TIMESTAMPTZ``): asyncpg hands aware datetimes in and out, so no
conversion is written here. The models describe the tables (Alembic compares them with the
migrated schema in a test) and carry rows between services and routes; no ORM session runs.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# a moment: timestamptz in PostgreSQL, an aware datetime in Python
TIMESTAMPTZ = DateTime(timezone=True)
# unique constraints a service expects to be violated now and then (named as PostgreSQL named
# them in migration 0001): a reference drawn twice, an Idempotency-Key used by two requests at
# once
BOOKING_REFERENCE_KEY = "bookings_reference_key"
BOOKING_IDEMPOTENCY_KEY = "bookings_idempotency_key_key"


class HoldStatus(StrEnum):
    active = "active"
    released = "released"
    booked = "booked"


class BookingStatus(StrEnum):
    confirmed = "confirmed"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no-show"


class Base(DeclarativeBase):
    pass


class Office(Base):
    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    region: Mapped[str] = mapped_column(String(40))
    menu_order: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    address: Mapped[str] = mapped_column(String(200))
    opening_hours: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class VisitType(Base):
    __tablename__ = "visit_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    menu_order: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    duration_minutes: Mapped[int] = mapped_column(Integer)


class OfficeVisitType(Base):
    __tablename__ = "office_visit_types"

    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"), primary_key=True)
    visit_type_code: Mapped[str] = mapped_column(ForeignKey("visit_types.code"), primary_key=True)


class CapacityTemplate(Base):
    """Seats per slot for one office, visit type and weekday time range, split by channel."""

    __tablename__ = "capacity_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    visit_type_code: Mapped[str] = mapped_column(ForeignKey("visit_types.code"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", local time
    end_time: Mapped[str] = mapped_column(String(5))
    seats_phone: Mapped[int] = mapped_column(Integer)
    seats_operator: Mapped[int] = mapped_column(Integer)
    seats_counter: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_capacity_office_visit", "office_code", "visit_type_code"),)


class Closure(Base):
    """An office closed on a day (``starts_at``/``ends_at`` NULL) or part of one (migration
    0004). Its slots are closed and the bookings it cancelled point at it
    (``Booking.cancelled_by_closure_id``); reopening sets ``reopened_at`` and keeps the row."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    starts_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMPTZ, nullable=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMPTZ, nullable=True)
    created_by: Mapped[str] = mapped_column(String(10))
    reopened_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMPTZ, nullable=True)

    __table_args__ = (
        CheckConstraint(
            "(starts_at IS NULL AND ends_at IS NULL) OR (starts_at < ends_at)",
            name="ck_closures_range",
        ),
        Index("ix_closures_office_day", "office_code", "day"),
    )


class Slot(Base):
    __tablename__ = "slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    visit_type_code: Mapped[str] = mapped_column(ForeignKey("visit_types.code"))
    local_date: Mapped[dt.date] = mapped_column(Date)
    starts_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    ends_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    seats_phone: Mapped[int] = mapped_column(Integer)
    seats_operator: Mapped[int] = mapped_column(Integer)
    seats_counter: Mapped[int] = mapped_column(Integer)
    booked_phone: Mapped[int] = mapped_column(Integer, default=0)
    booked_operator: Mapped[int] = mapped_column(Integer, default=0)
    booked_counter: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("office_code", "visit_type_code", "starts_at", name="uq_slot_start"),
        Index("ix_slots_office_date", "office_code", "local_date"),
    )


class Hold(Base):
    __tablename__ = "holds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    channel: Mapped[str] = mapped_column(String(10))
    caller_number: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default=HoldStatus.active)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    expires_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)

    __table_args__ = (
        Index("ix_holds_slot_status", "slot_id", "status", "expires_at"),
        Index("ix_holds_caller_created", "caller_number", "created_at"),
    )


class IdentityLock(Base):
    """One row per identity fingerprint, updated to serialise that identity's bookings."""

    __tablename__ = "identity_locks"

    identity_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(8))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    visit_type_code: Mapped[str] = mapped_column(ForeignKey("visit_types.code"))
    starts_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    local_date: Mapped[dt.date] = mapped_column(Date)
    caller_number: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    identity_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=BookingStatus.confirmed)
    hold_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    # the closure that cancelled it (its caller is owed a notice); None otherwise
    cancelled_by_closure_id: Mapped[int | None] = mapped_column(
        ForeignKey("closures.id", name="fk_bookings_cancelled_by_closure"), nullable=True
    )
    # when the desk marked it attended or no-show
    attendance_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMPTZ, nullable=True)

    __table_args__ = (
        UniqueConstraint("reference", name=BOOKING_REFERENCE_KEY),
        UniqueConstraint("idempotency_key", name=BOOKING_IDEMPOTENCY_KEY),
        Index("ix_bookings_caller_status", "caller_number", "status"),
        Index("ix_bookings_identity", "identity_hash", "created_at"),
        Index("ix_bookings_office_date", "office_code", "local_date"),
        Index("ix_bookings_slot", "slot_id"),
        Index("ix_bookings_closure", "cancelled_by_closure_id"),
    )


class NoticeKind(StrEnum):
    reminder = "reminder"
    closure_notice = "closure-notice"


class NoticeStatus(StrEnum):
    pending = "pending"  # to be called at next_attempt_at (within the calling window)
    calling = "calling"  # an attempt is in progress
    done = "done"  # answered (whatever the caller chose)
    not_reached = "not-reached"  # every attempt busy, unanswered or an answering machine
    dropped = "dropped"  # no call any more: opted out, booking no longer active, visit past


class OutboundOptOut(Base):
    """A number whose owner pressed 9 in a notice: never called again."""

    __tablename__ = "outbound_opt_outs"

    caller_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)


class OutboundNotice(Base):
    """A call owed to the caller of a booking for one event (migration 0005)."""

    __tablename__ = "outbound_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    kind: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)

    __table_args__ = (
        UniqueConstraint("booking_id", "kind", "event", name="uq_outbound_notice_event"),
        Index("ix_outbound_notices_due", "status", "next_attempt_at"),
    )


class OutboundAttempt(Base):
    """One call placed for a notice; ``outcome`` is NULL while the call is in progress."""

    __tablename__ = "outbound_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("outbound_notices.id"))
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(TIMESTAMPTZ)
    ended_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMPTZ, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    new_booking_reference: Mapped[str | None] = mapped_column(String(8), nullable=True)

    __table_args__ = (UniqueConstraint("notice_id", "attempt", name="uq_outbound_attempt"),)
