"""Bookings: confirm a hold, look up, cancel, reschedule, and the operators' day.

Lock order, the same everywhere so two transactions never wait on each other in a circle:
identity row first, then slot rows in ascending id, then the booking row. The hold and the
booking from a hold are one call each of the functions of the migrations
(``api.services.holds``, ``api.services.booking_steps``). Booking from a hold needs no capacity
check of its own: the hold already holds the seat, and the slot's ``booked_<channel>`` count
goes up in the same transaction as the hold turns ``booked`` (so the seat is counted once).

The idempotency key is looked up after the identity lock: a retry that raced the first
attempt waits for it and then returns its booking. References are drawn at random and not
checked first: the unique constraint refuses a reference already taken
(``UniqueViolation`` naming ``BOOKING_REFERENCE_KEY``), and the whole attempt is retried with
a new draw (one statement fewer on every booking than a check beforehand).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, select, update

from api.errors import (
    BookingNotActive,
    BookingNotFound,
    DatabaseUnavailable,
    IdempotencyConflict,
    InvalidReference,
    TooLate,
    UniqueViolation,
)
from api.identity import identity_fingerprint, same_fingerprint
from api.models import (
    BOOKING_IDEMPOTENCY_KEY,
    BOOKING_REFERENCE_KEY,
    TIMESTAMPTZ,
    Booking,
    BookingStatus,
    Hold,
)
from api.references import is_valid_reference, new_reference
from api.services.booking_steps import book_hold
from api.services.catalog import get_office
from api.services.context import ServiceContext
from api.services.holds import create_hold
from api.services.locking import lock_identity, lock_slot
from api.services.outcomes import Outcome, refusal
from api.settings import Channel
from api.statements import Runner


@dataclass(frozen=True)
class Identity:
    """What the caller keyed: passport digits (never shown in repr) and date of birth."""

    passport_digits: str = field(repr=False)
    birth_date: dt.date


@dataclass(frozen=True)
class Proof:
    """How a caller proves a booking is theirs: the caller number or the identity."""

    caller_number: str | None = None
    identity: Identity | None = None


class BookingService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def _fingerprint(self, identity: Identity) -> str:
        return identity_fingerprint(
            key=self._context.settings.identity_key.get_secret_value().encode(),
            passport_digits=identity.passport_digits,
            birth_date=identity.birth_date,
        )

    # --- public entry points: each retries its whole transaction if two concurrent bookings
    # drew the same random reference (checked free, then taken by the other before insert) ---

    async def book(
        self,
        *,
        hold_id: str,
        channel: Channel,
        caller_number: str,
        language: str,
        identity: Identity,
        idempotency_key: str | None,
    ) -> Booking:
        return await _retry_reference(
            lambda: self._book_once(
                hold_id=hold_id,
                channel=channel,
                caller_number=caller_number,
                language=language,
                identity=identity,
                idempotency_key=idempotency_key,
            )
        )

    async def book_for_caller(
        self,
        *,
        slot_id: int,
        caller_number: str,
        language: str,
        identity: Identity,
        idempotency_key: str | None,
    ) -> Booking:
        """An operator books a slot for a caller: hold and booking in one transaction."""
        return await _retry_reference(
            lambda: self._book_for_caller_once(
                slot_id=slot_id,
                caller_number=caller_number,
                language=language,
                identity=identity,
                idempotency_key=idempotency_key,
            )
        )

    async def reschedule(
        self,
        *,
        reference: str,
        proof: Proof | None,
        hold_id: str,
        channel: Channel,
        caller_number: str,
        language: str,
        idempotency_key: str | None,
    ) -> Booking:
        """Cancel the booking and book the held slot, both or neither."""
        return await _retry_reference(
            lambda: self._reschedule_once(
                reference=reference,
                proof=proof,
                hold_id=hold_id,
                channel=channel,
                caller_number=caller_number,
                language=language,
                idempotency_key=idempotency_key,
            )
        )

    # --- creating -----------------------------------------------------------------------

    async def _book_once(
        self,
        *,
        hold_id: str,
        channel: Channel,
        caller_number: str,
        language: str,
        identity: Identity,
        idempotency_key: str | None,
    ) -> Booking:
        identity_hash = self._fingerprint(identity)
        # one statement (the function takes the identity lock itself): no transaction needed
        async with self._context.database.autocommit() as runner:
            return await self._book_from_hold(
                runner,
                hold_id=hold_id,
                channel=channel,
                caller_number=caller_number,
                language=language,
                identity_hash=identity_hash,
                idempotency_key=idempotency_key,
            )

    async def _book_for_caller_once(
        self,
        *,
        slot_id: int,
        caller_number: str,
        language: str,
        identity: Identity,
        idempotency_key: str | None,
    ) -> Booking:
        """An operator books a slot for a caller: hold and booking in one transaction."""
        identity_hash = self._fingerprint(identity)
        async with self._context.database.transaction() as runner:
            if idempotency_key is not None:
                existing = await _by_idempotency_key(runner, idempotency_key)
                if existing is not None:
                    if existing.slot_id != slot_id:
                        raise IdempotencyConflict(
                            "this Idempotency-Key was used for another request"
                        )
                    return existing
            # lock order: the identity before the slot the hold locks
            await lock_identity(runner, identity_hash=identity_hash)
            hold = await create_hold(
                runner,
                self._context,
                slot_id=slot_id,
                channel=Channel.operator,
                caller_number=caller_number,
                language=language,
            )
            return await self._book_from_hold(
                runner,
                hold_id=hold.id,
                channel=Channel.operator,
                caller_number=caller_number,
                language=language,
                identity_hash=identity_hash,
                idempotency_key=idempotency_key,
            )

    async def _book_from_hold(
        self,
        runner: Runner,
        *,
        hold_id: str,
        channel: Channel,
        caller_number: str,
        language: str,
        identity_hash: str,
        idempotency_key: str | None,
        replay: bool = True,
    ) -> Booking:
        """Turn the hold into a booking (the function takes the identity lock, then reads the
        identity's counts and the idempotency key). With ``replay``, a booking already made
        with the same key and hold is returned."""
        now = self._context.clock.now()
        policy = self._context.settings.policy
        values: dict[str, Any] = {
            "reference": _draw_reference(),
            "caller_number": caller_number,
            "language": language,
            "identity_hash": identity_hash,
            "channel": channel.value,
            "status": BookingStatus.confirmed.value,
            "hold_id": hold_id,
            "idempotency_key": idempotency_key,
            "created_at": now,
            "updated_at": now,
        }
        try:
            attempt = await book_hold(runner, policy=policy, values=values, now=now, replay=replay)
        except UniqueViolation as exc:
            if exc.constraint == BOOKING_REFERENCE_KEY:
                raise ReferenceTaken(values["reference"]) from exc
            if exc.constraint == BOOKING_IDEMPOTENCY_KEY:  # two requests with one key at once
                raise IdempotencyConflict(
                    "this Idempotency-Key was used for another request", hold_id=hold_id
                ) from exc
            raise
        if attempt.outcome == Outcome.replay:
            assert attempt.booking_id is not None
            return await _booking_by_id(runner, attempt.booking_id)
        slot = attempt.slot
        if attempt.outcome != Outcome.booked:
            raise refusal(
                attempt.outcome,
                policy=policy,
                hold_id=hold_id,
                slot_id=None if slot is None else slot.id,
                visit_type=None if slot is None else slot.visit_type_code,
            )
        assert slot is not None and attempt.booking_id is not None
        booking = Booking(id=attempt.booking_id, **slot.booking_columns(), **values)
        self._context.metrics.bookings.labels(slot.office_code, channel.value, language).inc()
        return booking

    # --- reading ------------------------------------------------------------------------

    async def find(self, *, reference: str, proof: Proof | None) -> Booking:
        async with self._context.database.autocommit() as runner:
            return await self._owned(runner, reference=reference, proof=proof)

    async def _owned(self, runner: Runner, *, reference: str, proof: Proof | None) -> Booking:
        """The booking if the proof matches (``None``: a privileged role), else not found."""
        if not is_valid_reference(reference):
            raise InvalidReference(
                "the reference is not 8 digits with a valid check digit", reference=reference
            )
        row = await runner.one_or_none(BOOKING_BY_REFERENCE, {"reference": reference})
        booking = None if row is None else Booking(**row)
        if booking is None or (proof is not None and not self._proves(booking, proof)):
            raise BookingNotFound("no booking with this reference for you", reference=reference)
        return booking

    def _proves(self, booking: Booking, proof: Proof) -> bool:
        if proof.caller_number is not None and hmac.compare_digest(
            proof.caller_number.encode(), booking.caller_number.encode()
        ):
            return True
        if proof.identity is not None:
            return same_fingerprint(self._fingerprint(proof.identity), booking.identity_hash)
        return False

    async def active_for_caller(self, *, caller_number: str) -> list[Booking]:
        now = self._context.clock.now()
        async with self._context.database.autocommit() as runner:
            rows = await runner.all(ACTIVE_FOR_CALLER, {"caller": caller_number, "now": now})
        return [Booking(**row) for row in rows]

    async def day_list(self, *, office_code: str, day: dt.date) -> list[Booking]:
        async with self._context.database.autocommit() as runner:
            await get_office(runner, code=office_code)
            rows = await runner.all(DAY_LIST, {"office": office_code, "day": day})
        return [Booking(**row) for row in rows]

    # --- changing -----------------------------------------------------------------------

    async def cancel(self, *, reference: str, proof: Proof | None) -> Booking:
        async with self._context.database.transaction() as runner:
            booking = await self._owned(runner, reference=reference, proof=proof)
            await self._cancel_in(runner, booking=booking)
            return booking

    async def _cancel_in(self, runner: Runner, *, booking: Booking) -> None:
        """Give the seat back and mark the booking cancelled. The slot is locked first (lock
        order: slots before the booking row), then the booking changes only if it is still
        confirmed: a concurrent cancel that committed first leaves nothing to cancel, and
        the seat it gave back is not given back twice (the transaction rolls back)."""
        now = self._context.clock.now()
        if booking.status != BookingStatus.confirmed:
            raise BookingNotActive(
                "only a confirmed booking can be cancelled", status=booking.status
            )
        if booking.starts_at <= now:
            raise TooLate("the visit has already started", reference=booking.reference)
        await lock_slot(
            runner, slot_id=booking.slot_id, booked_change=(Channel(booking.channel), -1)
        )
        status = BookingStatus.cancelled.value
        await self._change_status(runner, booking=booking, status=status, now=now)
        self._context.metrics.cancellations.labels(
            booking.office_code, booking.channel, booking.language
        ).inc()

    async def _reschedule_once(
        self,
        *,
        reference: str,
        proof: Proof | None,
        hold_id: str,
        channel: Channel,
        caller_number: str,
        language: str,
        idempotency_key: str | None,
    ) -> Booking:
        """Cancel the booking and book the held slot, both or neither. A booking a closure
        cancelled is booked again the same way (its identity, no cancellation left to do):
        the closure notice's re-booking (issue 15)."""
        async with self._context.database.transaction() as runner:
            replay = await _replay(runner, idempotency_key=idempotency_key, hold_id=hold_id)
            if replay is not None:
                return replay
            old = await self._owned(runner, reference=reference, proof=proof)
            await lock_identity(runner, identity_hash=old.identity_hash)
            held_slot = await runner.scalar(HOLD_SLOT, {"hold_id": hold_id})
            slot_ids = {old.slot_id} if held_slot is None else {old.slot_id, held_slot}
            for slot_id in sorted(slot_ids):  # lock order: slots by id
                await lock_slot(runner, slot_id=slot_id)
            if not _cancelled_by_closure(old):
                await self._cancel_in(runner, booking=old)
            return await self._book_from_hold(
                runner,
                hold_id=hold_id,
                channel=channel,
                caller_number=caller_number,
                language=language,
                identity_hash=old.identity_hash,
                idempotency_key=idempotency_key,
                replay=False,
            )

    async def mark_attendance(self, *, reference: str, status: BookingStatus) -> Booking:
        if status not in (BookingStatus.attended, BookingStatus.no_show):
            raise BookingNotActive("attendance is attended or no-show", status=status.value)
        async with self._context.database.transaction() as runner:
            booking = await self._owned(runner, reference=reference, proof=None)
            if booking.status != BookingStatus.confirmed:
                raise BookingNotActive(
                    "attendance is marked once, on a confirmed booking", status=booking.status
                )
            now = self._context.clock.now()
            changed = await runner.rowcount(
                MARK_ATTENDANCE,
                {"booking_id": booking.id, "new_status": status.value, "now": now},
            )
            if changed != 1:
                raise BookingNotActive(
                    "the booking was changed meanwhile; only a confirmed one can change",
                    reference=booking.reference,
                )
            booking.status, booking.attendance_at, booking.updated_at = status.value, now, now
            return booking

    @staticmethod
    async def _change_status(
        runner: Runner, *, booking: Booking, status: str, now: dt.datetime
    ) -> None:
        """Move a confirmed booking to ``status``, or raise if it is no longer confirmed
        (changed by a concurrent request since it was read)."""
        changed = await runner.rowcount(
            CHANGE_STATUS, {"booking_id": booking.id, "new_status": status, "now": now}
        )
        if changed != 1:
            raise BookingNotActive(
                "the booking was changed meanwhile; only a confirmed one can change",
                reference=booking.reference,
            )
        booking.status = status
        booking.updated_at = now


REFERENCE_ATTEMPTS = 5

# --- the bookings' statements, built once (module constants: see api.statements) ---
BOOKINGS = cast(Table, Booking.__table__)
HOLDS = cast(Table, Hold.__table__)
BOOKING_BY_ID = select(BOOKINGS).where(BOOKINGS.c.id == bindparam("id", type_=Integer()))
BOOKING_BY_REFERENCE = select(BOOKINGS).where(BOOKINGS.c.reference == bindparam("reference"))
BOOKING_BY_KEY = select(BOOKINGS).where(BOOKINGS.c.idempotency_key == bindparam("key"))
ACTIVE_FOR_CALLER = (
    select(BOOKINGS)
    .where(
        BOOKINGS.c.caller_number == bindparam("caller"),
        BOOKINGS.c.status == BookingStatus.confirmed.value,
        BOOKINGS.c.starts_at > bindparam("now", type_=TIMESTAMPTZ),
    )
    .order_by(BOOKINGS.c.starts_at)
)
DAY_LIST = (
    select(BOOKINGS)
    .where(BOOKINGS.c.office_code == bindparam("office"), BOOKINGS.c.local_date == bindparam("day"))
    .order_by(BOOKINGS.c.starts_at, BOOKINGS.c.reference)
)
CHANGE_STATUS = (
    update(BOOKINGS)
    .where(
        BOOKINGS.c.id == bindparam("booking_id", type_=Integer()),
        BOOKINGS.c.status == BookingStatus.confirmed.value,
    )
    .values(status=bindparam("new_status"), updated_at=bindparam("now", type_=TIMESTAMPTZ))
)
MARK_ATTENDANCE = CHANGE_STATUS.values(attendance_at=bindparam("now", type_=TIMESTAMPTZ))
HOLD_SLOT = select(HOLDS.c.slot_id).where(HOLDS.c.id == bindparam("hold_id"))


def _cancelled_by_closure(booking: Booking) -> bool:
    return (
        booking.status == BookingStatus.cancelled and booking.cancelled_by_closure_id is not None
    )


async def _booking_by_id(runner: Runner, booking_id: int) -> Booking:
    return Booking(**await runner.one(BOOKING_BY_ID, {"id": booking_id}))


class ReferenceTaken(Exception):
    """Internal: the drawn reference was inserted by a concurrent booking; retry the whole
    transaction (already rolled back) with a new one. Never leaves this module."""


async def _retry_reference(attempt: Callable[[], Awaitable[Booking]]) -> Booking:
    for _ in range(REFERENCE_ATTEMPTS):
        try:
            return await attempt()
        except ReferenceTaken:
            continue
    raise DatabaseUnavailable("no free booking reference found; try again")


async def _by_idempotency_key(runner: Runner, key: str) -> Booking | None:
    row = await runner.one_or_none(BOOKING_BY_KEY, {"key": key})
    return None if row is None else Booking(**row)


async def _replay(
    runner: Runner, *, idempotency_key: str | None, hold_id: str
) -> Booking | None:
    if idempotency_key is None:
        return None
    existing = await _by_idempotency_key(runner, idempotency_key)
    if existing is not None and existing.hold_id != hold_id:
        raise IdempotencyConflict(
            "this Idempotency-Key was used for another request", hold_id=hold_id
        )
    return existing


def _draw_reference() -> str:
    return new_reference()
