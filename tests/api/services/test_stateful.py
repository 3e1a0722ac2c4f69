"""Holds, expiries, bookings and cancellations against a simple model (hypothesis).

The model knows each seat's owner and each hold's expiry; after every step the service's
free seats per channel (availability, i.e. ``slot_service_free_seats``) must equal the
model's, and never more seats may be taken than exist. Each example runs on a copy of the
session's template database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any, cast

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Table, bindparam, select

from api.app import create_app
from api.clock import ManualClock
from api.errors import HoldExpired, HoldNotFound, ServiceError, SlotFull
from api.models import Hold, Slot
from api.routes.deps import Services
from api.services.bookings import Identity
from api.settings import ApiSettings, Channel
from api.testing import create_database, drop_database
from tests.api.conftest import START

SEATS = {Channel.phone: 2, Channel.operator: 1, Channel.counter: 1}
TTL = {Channel.phone: 120, Channel.operator: 600}
LATER = dt.datetime(2026, 12, 17, 6, 0, tzinfo=dt.UTC)  # outside the borrow window
HOLDS = cast(Table, Hold.__table__)
SLOTS = cast(Table, Slot.__table__)
HOLD_CALLER = select(HOLDS.c.caller_number).where(HOLDS.c.id == bindparam("hold_id"))
SLOT = select(SLOTS).where(SLOTS.c.id == bindparam("slot_id"))


@dataclass
class ModelHold:
    hold_id: str
    slot_id: int
    channel: Channel
    expires_at: dt.datetime
    active: bool = True


@dataclass
class ModelBooking:
    reference: str
    slot_id: int
    channel: Channel
    confirmed: bool = True


class SlotMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    bookings = Bundle("bookings")
    server: str
    template: str

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.loop = asyncio.new_event_loop()
        self.database_url = self.run(create_database(self.server, template=self.template))
        settings = ApiSettings(database_url=self.database_url, database_pool_size=2)
        self.app = create_app(settings, clock=self.clock)
        self.services: Services = self.app.state.services
        found = self.run(
            self.services.availability.earliest(
                office_code="praha-zukovskeho",
                visit_type_code="ltr-extension",
                channel=Channel.phone,
                after=LATER,
                limit=2,
            )
        )
        self.slot_ids = [free.slot_id for free in found]
        self.model_holds: dict[str, ModelHold] = {}
        self.model_bookings: dict[str, ModelBooking] = {}
        self.numbers = itertools.count(600_000_000)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.services.context.database.dispose())
        self.run(drop_database(self.server, self.database_url))
        self.loop.close()

    def used(self, slot_id: int, channel: Channel) -> int:
        now = self.clock.now()
        held = sum(
            1
            for h in self.model_holds.values()
            if h.slot_id == slot_id and h.channel == channel and h.active and h.expires_at > now
        )
        booked = sum(
            1
            for b in self.model_bookings.values()
            if b.slot_id == slot_id and b.channel == channel and b.confirmed
        )
        return held + booked

    def model_free(self, slot_id: int, channel: Channel) -> int:
        total_free = sum(SEATS.values()) - sum(self.used(slot_id, c) for c in Channel)
        return max(min(SEATS[channel] - self.used(slot_id, channel), total_free), 0)

    @rule(
        target=holds,
        slot_index=st.integers(0, 1),
        channel=st.sampled_from([Channel.phone, Channel.operator]),
    )
    def hold(self, slot_index: int, channel: Channel) -> str:
        slot_id = self.slot_ids[slot_index]
        expected = self.model_free(slot_id, channel) > 0
        try:
            hold = self.run(
                self.services.holds.hold(
                    slot_id=slot_id,
                    channel=channel,
                    caller_number=f"+420{next(self.numbers)}",
                    language="cs",
                )
            )
        except SlotFull:
            assert not expected, "refused a hold the model has room for"
            return "refused"
        assert expected, "granted a hold the model has no room for"
        self.model_holds[hold.id] = ModelHold(
            hold.id, slot_id, channel, self.clock.now() + dt.timedelta(seconds=TTL[channel])
        )
        return str(hold.id)

    @rule(hold_id=consumes(holds))
    def release(self, hold_id: str) -> None:
        model = self.model_holds.get(hold_id)
        if model is None:
            return
        self.run(self.services.holds.release(hold_id=hold_id, channel=model.channel))
        model.active = False

    @rule(target=bookings, hold_id=consumes(holds))
    def book(self, hold_id: str) -> str:
        model = self.model_holds.get(hold_id)
        if model is None:
            return "none"
        caller = self.run(self._one(HOLD_CALLER, {"hold_id": hold_id})).caller_number
        try:
            booking = self.run(
                self.services.bookings.book(
                    hold_id=hold_id,
                    channel=model.channel,
                    caller_number=caller,
                    language="cs",
                    identity=Identity(
                        passport_digits=str(next(self.numbers)), birth_date=dt.date(1990, 1, 1)
                    ),
                    idempotency_key=None,
                )
            )
        except HoldExpired:
            assert model.expires_at <= self.clock.now()
            return "none"
        except HoldNotFound:
            assert not model.active
            return "none"
        assert model.active and model.expires_at > self.clock.now()
        model.active = False
        self.model_bookings[booking.reference] = ModelBooking(
            booking.reference, model.slot_id, model.channel
        )
        return str(booking.reference)

    async def _one(self, statement: Any, parameters: dict[str, Any]) -> Any:
        async with self.services.context.database.autocommit() as runner:
            return await runner.one(statement, parameters)

    @rule(reference=consumes(bookings))
    def cancel(self, reference: str) -> None:
        model = self.model_bookings.get(reference)
        if model is None:
            return
        self.run(self.services.bookings.cancel(reference=reference, proof=None))
        model.confirmed = False

    @rule(seconds=st.integers(1, 300))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @invariant()
    def free_seats_match_the_model(self) -> None:
        for slot_id in self.slot_ids:
            for channel in (Channel.phone, Channel.operator, Channel.counter):
                assert self.service_free(slot_id, channel) == self.model_free(slot_id, channel)

    def service_free(self, slot_id: int, channel: Channel) -> int:
        async def lookup() -> int:
            slot = await self._one(SLOT, {"slot_id": slot_id})
            try:
                found = await self.services.availability.earliest(
                    office_code=slot.office_code,
                    visit_type_code=slot.visit_type_code,
                    channel=channel,
                    after=slot.starts_at - dt.timedelta(microseconds=1),
                    limit=1,
                )
            except ServiceError as exc:  # pragma: no cover - a failure of the test itself
                raise AssertionError(exc.error_id) from exc
            return found[0].free_seats if found and found[0].slot_id == slot_id else 0

        result: int = self.run(lookup())
        return result


MACHINE_SETTINGS = settings(
    max_examples=10,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_holds_bookings_expiry_and_cancellation_match_the_model(
    postgres_server: str, slots_template: str
) -> None:
    SlotMachine.server, SlotMachine.template = postgres_server, slots_template
    run_state_machine_as_test(SlotMachine, settings=MACHINE_SETTINGS)
