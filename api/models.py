"""SQLAlchemy 2.0 typed models of the slot service.

Seat accounting, the invariant everything else protects: for every slot,
``booked_phone + booked_operator + booked_counter + live holds <= seats``. Confirmed bookings are
counted on the slot row (changed only while that row is locked); holds are counted from the
``holds`` table with ``expires_at > now`` at the moment of the check, so an expired hold never
counts, whether or not a sweeper ever marks it.

Times are stored as naive UTC on both SQLite and PostgreSQL and read back as aware UTC
(``UtcDateTime``), so comparisons in SQL behave the same on both databases.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; naive UTC in the column."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


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
    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("office_code", "day", name="uq_closure_office_day"),)


class Slot(Base):
    __tablename__ = "slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    visit_type_code: Mapped[str] = mapped_column(ForeignKey("visit_types.code"))
    local_date: Mapped[dt.date] = mapped_column(Date)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
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
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

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
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    visit_type_code: Mapped[str] = mapped_column(ForeignKey("visit_types.code"))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    local_date: Mapped[dt.date] = mapped_column(Date)
    caller_number: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    identity_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=BookingStatus.confirmed)
    hold_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_bookings_caller_status", "caller_number", "status"),
        Index("ix_bookings_identity", "identity_hash", "created_at"),
        Index("ix_bookings_office_date", "office_code", "local_date"),
        Index("ix_bookings_slot", "slot_id"),
    )
