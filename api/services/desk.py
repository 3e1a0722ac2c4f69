"""The office desk: the day's bookings by time, check-in, the day's figures, no-show rates.

Check-in moves a booking between ``confirmed`` (expected), ``attended`` (arrived) and
``no-show``, with the moment in ``attendance_at``; the desk may correct a click (arrived ↔
no-show, or back to expected); marking the state it already has changes nothing. Arrived is
accepted from the visit day on, no-show once the
visit has started (``too-early`` before); a cancelled booking is not checked in
(``booking-not-active``). The change is one ``UPDATE`` guarded by the status it was read with,
so two clicks at once cannot both change it from the same state unseen.

The desk sees callers masked: the caller number as the logs show it
(``api.privacy.mask_personal_data``) and the identity as the first characters of its
fingerprint (enough to see two visits are one person's, nothing to recover it from).

The no-show rates (for administrators, input for the anti-scalping limits) count the visits of
the last ``days`` days that were marked, per caller number and per identity.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)

from api.errors import BookingNotActive, TooLate
from api.models import TIMESTAMPTZ, Booking, BookingStatus
from api.privacy import mask_personal_data
from api.services.bookings import BookingService
from api.services.context import ServiceContext
from api.settings import Channel

BOOKINGS = cast(Table, Booking.__table__)
IDENTITY_SHOWN = 8
CHECK_IN_STATES = (BookingStatus.confirmed, BookingStatus.attended, BookingStatus.no_show)
RATES_SHOWN = 50

CHECK_IN = (
    update(BOOKINGS)
    .where(
        BOOKINGS.c.id == bindparam("booking_id", type_=Integer()),
        BOOKINGS.c.status == bindparam("old_status"),
    )
    .values(
        status=bindparam("new_status"),
        attendance_at=bindparam("marked_at", type_=TIMESTAMPTZ),
        updated_at=bindparam("now", type_=TIMESTAMPTZ),
    )
)
_MARKED = and_(
    BOOKINGS.c.local_date >= bindparam("since"),
    BOOKINGS.c.local_date <= bindparam("until"),
    # not in_(): that expands per call, and the statements are compiled once
    or_(
        BOOKINGS.c.status == BookingStatus.attended.value,
        BOOKINGS.c.status == BookingStatus.no_show.value,
    ),
)
_NO_SHOWS = func.count().filter(BOOKINGS.c.status == BookingStatus.no_show.value)


def _rates_by(column: ColumnElement[str]) -> Select[str, int, int]:
    return (
        select(column, func.count().label("visits"), _NO_SHOWS.label("no_shows"))
        .where(_MARKED)
        .group_by(column)
        .having(_NO_SHOWS > 0)
        .order_by((_NO_SHOWS * 1.0 / func.count()).desc(), _NO_SHOWS.desc(), column)
        .limit(RATES_SHOWN)
    )


RATES_BY_NUMBER = _rates_by(BOOKINGS.c.caller_number)
RATES_BY_IDENTITY = _rates_by(BOOKINGS.c.identity_hash)


@dataclass(frozen=True)
class DeskEntry:
    """A booking as the desk sees it."""

    booking: Booking
    caller_masked: str
    identity_masked: str


@dataclass(frozen=True)
class ChannelFigures:
    booked: int = 0  # not cancelled
    expected: int = 0
    arrived: int = 0
    no_show: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class NoShowRate:
    key: str  # the caller number, or the shown part of the identity fingerprint
    visits: int
    no_shows: int

    @property
    def rate(self) -> float:
        return self.no_shows / self.visits


@dataclass(frozen=True)
class NoShowRates:
    since: dt.date
    until: dt.date
    by_caller_number: list[NoShowRate]
    by_identity: list[NoShowRate]


def desk_entry(booking: Booking) -> DeskEntry:
    return DeskEntry(
        booking=booking,
        caller_masked=mask_personal_data(booking.caller_number),
        identity_masked=booking.identity_hash[:IDENTITY_SHOWN],
    )


class DeskService:
    def __init__(self, context: ServiceContext, *, bookings: BookingService) -> None:
        self._context = context
        self._bookings = bookings

    async def day_sheet(self, *, office_code: str, day: dt.date) -> list[DeskEntry]:
        bookings = await self._bookings.day_list(office_code=office_code, day=day)
        return [desk_entry(booking) for booking in bookings]

    async def find(self, *, reference: str) -> DeskEntry:
        return desk_entry(await self._bookings.find(reference=reference, proof=None))

    async def check_in(self, *, reference: str, status: BookingStatus) -> DeskEntry:
        """Mark the booking arrived (``attended``), ``no-show``, or expected again
        (``confirmed``: undoing a wrong click)."""
        if status not in CHECK_IN_STATES:
            raise BookingNotActive("check-in is attended, no-show or confirmed", status=status)
        now = self._context.clock.now()
        booking = await self._bookings.find(reference=reference, proof=None)
        if booking.status not in CHECK_IN_STATES:
            raise BookingNotActive(
                "only a booking that is not cancelled is checked in", status=booking.status
            )
        if booking.status == status:  # a second click on the same button: already so
            return desk_entry(booking)
        today = now.astimezone(self._context.zone).date()
        if status == BookingStatus.attended and booking.local_date > today:
            raise TooLate(
                "arrival is marked on the visit day", reference=reference, status=status.value
            )
        if status == BookingStatus.no_show and booking.starts_at > now:
            raise TooLate(
                "no-show is marked once the visit has started",
                reference=reference,
                status=status.value,
            )
        marked_at = None if status == BookingStatus.confirmed else now
        async with self._context.database.autocommit() as runner:
            changed = await runner.rowcount(
                CHECK_IN,
                {
                    "booking_id": booking.id,
                    "old_status": booking.status,
                    "new_status": status.value,
                    "marked_at": marked_at,
                    "now": now,
                },
            )
        if changed != 1:
            raise BookingNotActive(
                "the booking was changed meanwhile; look again", reference=reference
            )
        booking.status, booking.attendance_at, booking.updated_at = status.value, marked_at, now
        return desk_entry(booking)

    @staticmethod
    def figures(entries: list[DeskEntry]) -> dict[Channel, ChannelFigures]:
        """The day's counts by channel (every channel, zeros included)."""
        counts: dict[Channel, Counter[str]] = {channel: Counter() for channel in Channel}
        for entry in entries:
            counts[Channel(entry.booking.channel)][entry.booking.status] += 1
        return {
            channel: ChannelFigures(
                booked=sum(n for state, n in count.items() if state != BookingStatus.cancelled),
                expected=count[BookingStatus.confirmed],
                arrived=count[BookingStatus.attended],
                no_show=count[BookingStatus.no_show],
                cancelled=count[BookingStatus.cancelled],
            )
            for channel, count in counts.items()
        }

    async def no_show_rates(self, *, days: int | None = None) -> NoShowRates:
        """The marked visits of the last ``days`` days (default: the identity window of the
        booking policy) per caller number and identity, those with a no-show, worst first."""
        window = days if days is not None else self._context.settings.policy.identity_window_days
        until = self._context.clock.now().astimezone(self._context.zone).date()
        since = until - dt.timedelta(days=window)
        params = {"since": since, "until": until}
        async with self._context.database.autocommit() as runner:
            by_number = await runner.all(RATES_BY_NUMBER, params)
            by_identity = await runner.all(RATES_BY_IDENTITY, params)
        return NoShowRates(
            since=since,
            until=until,
            by_caller_number=[NoShowRate(row[0], row.visits, row.no_shows) for row in by_number],
            by_identity=[
                NoShowRate(row[0][:IDENTITY_SHOWN], row.visits, row.no_shows)
                for row in by_identity
            ],
        )
