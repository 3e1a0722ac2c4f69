"""The booking flow end to end on our side: the fake Asterisk over TCP, the real FastAGI server,
the runner, the slot client and the real slot service in-process (on a copy of today's
template database, PostgreSQL)."""

from __future__ import annotations

import asyncio
import tomllib
from collections import deque
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import TextClause, text

from api.testing import prepared_app, query
from ivr.agi.channel import AgiChannel, AgiEnvironment, DigitsResult
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.flow.menus import prompt_ids
from ivr.flow.runner import BookingRunner, SlotService, build_booking_runner
from ivr.flow.settings import LANGUAGES, FlowSettings
from ivr.slots import SlotClient
from ivr.slots.errors import SlotRefused
from ivr.speech import fragment_ids
from tests.fakes.fake_asterisk import CallerEvent, FakeAsterisk, HangUp, Press, Silence, Transcript

CALLER = "+420777123456"
TOKEN = "ivr-dev-token"
SEED_FILE = Path(__file__).resolve().parents[3] / "api" / "seed" / "seed.toml"

# The English first-time caller of docs/architecture.md, key by key.
BOOKING_KEYS: list[CallerEvent] = [
    Press("2"),  # English
    Press("1"),  # Prague
    Press("1"),  # Žukovského
    Press("1"),  # the first visit type
    Press("123456789#"),  # passport
    Press("05011990"),  # date of birth
    Press("1"),  # read-back correct
    Press("1"),  # accept the slot
    Silence(),  # the reference menu: no repeat
]


class SlowTransport(httpx.AsyncBaseTransport):
    """The real app behind a delay: a slot service that answers too late."""

    def __init__(self, inner: httpx.AsyncBaseTransport, delay_s: float) -> None:
        self._inner, self._delay_s = inner, delay_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self._delay_s)
        return await self._inner.handle_async_request(request)


@pytest.fixture
async def app(postgres_server: str, today_template: str) -> AsyncIterator[FastAPI]:
    async with prepared_app(postgres_server, template=today_template) as prepared:
        yield prepared


@pytest.fixture
async def slots(app: FastAPI) -> AsyncIterator[SlotClient]:
    transport = httpx.ASGITransport(app=app)
    async with SlotClient(base_url="http://slots.test", token=TOKEN, transport=transport) as c:
        yield c


class Engine:
    """The FastAGI server with the booking route, and a way to place calls against it."""

    def __init__(self, slots: SlotService, **flow: object) -> None:
        self.metrics = AgiMetrics(registry=CollectorRegistry())
        runner = build_booking_runner(flow=FlowSettings(**flow), slots=slots, metrics=self.metrics)
        self.server = FastAgiServer(
            settings=AgiSettings(port=0), routes={"booking": runner}, metrics=self.metrics
        )

    async def call(
        self,
        caller: Sequence[CallerEvent],
        *,
        callerid: str = CALLER,
        sound_files: Collection[str] | None = None,
        channel_variables: Mapping[str, str] | None = None,
    ) -> Transcript:
        await self.server.start()
        try:
            fake = FakeAsterisk(
                port=self.server.port, caller=caller, callerid=callerid, sound_files=sound_files
            )
            fake.simulator.transcript.variables.update(channel_variables or {})
            return await fake.run()
        finally:
            await self.server.shutdown()

    def outcome(self, result: str, language: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "ivr_call_outcomes_total", {"result": result, "language": language}
        )
        return value or 0.0


ACTIVE_HOLDS = text("SELECT count(*) FROM holds WHERE status = 'active'")
ALL_HOLDS = text("SELECT count(*) FROM holds")
ALL_BOOKINGS = text("SELECT count(*) FROM bookings")


async def count(app: FastAPI, statement: TextClause = ACTIVE_HOLDS) -> int:
    (row,) = await query(app, statement)
    return int(row[0])


def english(prompt_id: str) -> str:
    return f"en/ivr/{prompt_id}"


async def test_a_first_time_caller_books_and_the_booking_exists(
    slots: SlotClient, app: FastAPI
) -> None:
    engine = Engine(slots)
    transcript = await engine.call(BOOKING_KEYS)

    assert transcript.variables["CHANNEL(language)"] == "en"
    assert transcript.variables["IVR_RESULT"] == "booked"
    assert transcript.variables["IVR_OFFICE"] == "praha-zukovskeho"
    assert transcript.variables["IVR_VISIT_TYPE"] == "ltr-new"
    assert transcript.agi_hung_up and not transcript.remaining_events
    played = transcript.played
    assert played[0] == "cs/ivr/welcome"
    assert played.index(english("slot-offer")) < played.index(english("booking-confirmed"))
    assert played[-1] == english("goodbye")
    # every question is one Read (no key can fall between two commands); the passport's with
    # the first-digit and inter-digit timeouts of the settings, set on the channel
    asked = [c for c in transcript.commands if c.startswith(("STREAM FILE", "GET DATA", "WAIT"))]
    assert not [c for c in asked if not c.startswith("STREAM FILE")], asked
    passport = next(c for c in transcript.commands if "en/ivr/passport-prompt" in c)
    assert passport == 'EXEC Read "IVR_READ,en/ivr/passport-prompt,20"'
    assert transcript.set_variables.count(("TIMEOUT(digit)", "3.000")) == 1
    assert ("TIMEOUT(response)", "8.000") in transcript.set_variables

    (booking,) = await slots.bookings_for_caller(CALLER)
    assert booking.caller_number == CALLER
    assert booking.office == "praha-zukovskeho" and booking.visit_type == "ltr-new"
    assert booking.language == "en" and booking.channel == "phone"
    assert english("reference-again") in played
    assert await count(app) == 0
    assert engine.outcome("booked", "en") == 1


async def test_a_caller_the_dialplan_sends_back_keeps_the_language(slots: SlotClient) -> None:
    # operators closed: the dialplan runs the menu again with IVR_LANGUAGE set
    transcript = await Engine(slots).call(
        BOOKING_KEYS[1:], channel_variables={"IVR_LANGUAGE": "en"}
    )
    assert transcript.commands[0] == 'GET VARIABLE "IVR_LANGUAGE"'
    assert "cs/ivr/welcome" not in transcript.played
    assert transcript.variables["IVR_RESULT"] == "booked"


async def test_an_expert_keys_ahead_through_the_prompts(slots: SlotClient) -> None:
    transcript = await Engine(slots).call(BOOKING_KEYS)
    # the language key interrupted the welcome: no language option was played
    assert "cs/ivr/language-option" not in transcript.played
    language = next(c for c in transcript.commands if c.startswith("EXEC Read"))
    assert language.startswith('EXEC Read "IVR_READ,cs/ivr/welcome&cs/ivr/language-option&')
    assert language.endswith(',1"')


class CountingSlots:
    """The real slot client, counting the requests the flow makes of it."""

    def __init__(self, slots: SlotClient) -> None:
        self._slots = slots
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> object:
        self.asked.append(name)
        return getattr(self._slots, name)


async def test_calls_share_the_offices_and_visit_types_but_nothing_else(
    slots: SlotClient,
) -> None:
    counting = CountingSlots(slots)
    metrics = AgiMetrics(registry=CollectorRegistry())
    runner = build_booking_runner(flow=FlowSettings(), slots=counting, metrics=metrics)
    server = FastAgiServer(
        settings=AgiSettings(port=0), routes={"booking": runner}, metrics=metrics
    )
    await server.start()
    try:
        for number in ("+420777000001", "+420777000002"):
            keys = [*BOOKING_KEYS[:4], Press(f"{number[-8:]}#"), *BOOKING_KEYS[5:]]
            transcript = await FakeAsterisk(port=server.port, caller=keys, callerid=number).run()
            assert transcript.variables["IVR_RESULT"] == "booked"
    finally:
        await server.shutdown()
    assert counting.asked.count("offices") == 1
    assert counting.asked.count("visit_types") == 1
    assert counting.asked.count("bookings_for_caller") == 2
    assert counting.asked.count("availability") == 2
    assert counting.asked.count("book") == 2


async def test_a_number_is_keyed_ahead_through_keys_help_after_a_wrong_one(
    slots: SlotClient,
) -> None:
    # a too short passport number, then the right one keyed during keys-help
    keys = [*BOOKING_KEYS[:4], Press("12#"), *BOOKING_KEYS[4:]]
    transcript = await Engine(slots).call(keys)
    assert transcript.variables["IVR_RESULT"] == "booked"
    played = transcript.played
    assert played.count(english("keys-help")) == 2  # at the region menu, and before the retry
    again = played.index(english("invalid-input"))
    assert played[again + 1] == english("keys-help")
    asked = [c for c in transcript.commands if "en/ivr/passport-prompt" in c]
    assert len(asked) == 2, "the passport is asked again, after invalid-input"
    assert played.count(english("passport-prompt")) == 1, "the second number cut keys-help"
    (booking,) = await slots.bookings_for_caller(CALLER)
    assert booking.caller_number == CALLER


async def test_an_existing_booking_is_heard_and_cancelled(slots: SlotClient) -> None:
    await Engine(slots).call(BOOKING_KEYS)
    (booking,) = await slots.bookings_for_caller(CALLER)

    transcript = await Engine(slots).call(
        [Press("2"), Press("1"), Press("2"), Press("1")]  # English, hear it, cancel, confirm
    )
    played = transcript.played
    assert english("existing-booking") in played
    assert english("your-booking") in played
    assert played[-2:] == [english("booking-cancelled"), english("goodbye")]
    assert transcript.variables["IVR_RESULT"] == "cancelled"
    assert await slots.bookings_for_caller(CALLER) == []
    assert booking.reference


@pytest.mark.parametrize(
    ("caller", "reason", "language"),
    [
        ([Press("0")], "operator-request", "cs"),
        ([Press("2"), Press("1"), Press("1"), Press("0")], "operator-request", "en"),
        ([Press("9"), Press("8"), Press("7")], "invalid-input", "cs"),
        ([Press("4"), Silence(), Silence(), Silence()], "no-input", "ru"),
    ],
)
async def test_caller_fallouts_reach_the_dialplan_with_their_reason(
    slots: SlotClient, caller: list[CallerEvent], reason: str, language: str
) -> None:
    engine = Engine(slots)
    transcript = await engine.call(caller)
    assert transcript.variables["IVR_RESULT"] == "fallout"
    assert transcript.variables["IVR_FALLOUT_REASON"] == reason
    assert transcript.variables["IVR_LANGUAGE"] == language
    assert transcript.played[-1] == f"{language}/ivr/transfer-operator"
    assert not transcript.agi_hung_up, "a fall-out returns to the dialplan, which queues"
    assert (
        engine.metrics.registry.get_sample_value(
            "ivr_call_fallouts_total", {"reason": reason, "language": language}
        )
        == 1
    )


async def test_no_slots_left_hands_over_to_an_operator(postgres_server: str) -> None:
    async with prepared_app(postgres_server, days=0) as app:
        transport = httpx.ASGITransport(app=app)
        async with SlotClient(base_url="http://s", token=TOKEN, transport=transport) as slots:
            transcript = await Engine(slots).call(BOOKING_KEYS[:7])
    assert transcript.variables["IVR_FALLOUT_REASON"] == "no-slots"
    assert transcript.played[-2:] == [english("no-slots"), english("transfer-operator")]


async def test_an_identity_over_its_limit_goes_to_an_operator(
    slots: SlotClient, app: FastAPI
) -> None:
    # the same person (passport, birth date) already booked this visit type from another phone
    await Engine(slots).call(BOOKING_KEYS, callerid="+420601000000")
    transcript = await Engine(slots).call(BOOKING_KEYS)
    assert transcript.variables["IVR_FALLOUT_REASON"] == "identity-limit"
    assert transcript.played[-2:] == [english("identity-limit"), english("transfer-operator")]
    assert await slots.bookings_for_caller(CALLER) == []
    assert await count(app) == 0


async def test_a_slot_service_that_is_down_gives_an_apology_and_an_operator() -> None:
    async with SlotClient(base_url="http://127.0.0.1:9", token=TOKEN) as slots:
        transcript = await Engine(slots).call([Press("2")])
    assert transcript.variables["IVR_FALLOUT_REASON"] == "service-error"
    assert transcript.variables["IVR_RESULT"] == "fallout"
    assert transcript.played[-2:] == [english("service-error"), english("transfer-operator")]


async def test_a_slow_slot_service_gives_an_apology_within_the_budget(app: FastAPI) -> None:
    slow = SlowTransport(httpx.ASGITransport(app=app), delay_s=5.0)
    async with SlotClient(base_url="http://s", token=TOKEN, transport=slow) as slots:
        engine = Engine(slots, service_budget_seconds=0.2)
        started = asyncio.get_running_loop().time()
        transcript = await engine.call([Press("2")])
        elapsed = asyncio.get_running_loop().time() - started
    assert transcript.variables["IVR_FALLOUT_REASON"] == "service-error"
    assert elapsed < 3.0


HANGUP_POINTS = list(range(len(BOOKING_KEYS)))


@pytest.mark.parametrize("keys_before_hangup", HANGUP_POINTS)
async def test_a_hangup_at_every_step_leaves_no_hold_and_no_unconfirmed_booking(
    slots: SlotClient, app: FastAPI, keys_before_hangup: int
) -> None:
    engine = Engine(slots)
    transcript = await engine.call([*BOOKING_KEYS[:keys_before_hangup], HangUp()])
    assert transcript.caller_hung_up
    assert await count(app) == 0
    bookings = await slots.bookings_for_caller(CALLER)
    accepted = keys_before_hangup >= BOOKING_KEYS.index(Press("1"), 7) + 1
    assert len(bookings) == (1 if accepted else 0)
    assert "IVR_RESULT" not in transcript.variables or accepted


async def test_a_hangup_while_the_seat_is_held_releases_it(
    slots: SlotClient, app: FastAPI
) -> None:
    # a wrong key at the slot menu, then the caller hangs up during the apology
    transcript = await Engine(slots).call([*BOOKING_KEYS[:7], Press("7"), HangUp()])
    assert english("slot-offer") in transcript.played
    assert transcript.played[-1] == english("invalid-input")
    assert transcript.caller_hung_up
    assert await count(app) == 0
    assert await count(app, ALL_HOLDS) == 1  # released


async def test_the_next_slot_releases_the_first_hold(slots: SlotClient, app: FastAPI) -> None:
    transcript = await Engine(slots).call([*BOOKING_KEYS[:7], Press("2"), Press("1"), Silence()])
    assert transcript.variables["IVR_RESULT"] == "booked"
    assert await count(app) == 0
    (booking,) = await slots.bookings_for_caller(CALLER)
    assert await count(app, ALL_HOLDS) == 2
    assert booking.starts_at.date() >= date.today()


class ScriptedChannel:
    """An AgiChannel whose caller keys up to the slot offer (language, region, office, visit
    type, passport, birth date, read-back), then accepts it, or never answers it (``stall``)."""

    def __init__(self, *, stall: bool = False, caller_gone: bool = False) -> None:
        self.env = AgiEnvironment(uniqueid="1764270000.9", callerid=CALLER)
        self.hung_up = caller_gone  # as Asterisk reported it: the caller is gone
        self.variables: dict[str, str] = {}
        # Read answers: language, region, office, visit type, passport, birth date, the
        # read-back and the slot menu
        self._answers = deque(["2", "1", "1", "1", "1234", "05011990", "1", "1"])
        self._stall = stall
        self.offered = asyncio.Event()

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None:
        return None

    async def get_data(self, name: str, timeout_ms: int, max_digits: int) -> DigitsResult:
        raise AssertionError("the flow asks with Read")

    async def read_digits(
        self,
        names: Sequence[str],
        *,
        max_digits: int,
        first_digit_timeout_ms: int,
        inter_digit_timeout_ms: int,
    ) -> DigitsResult:
        if names[-1] == english("slot-menu"):
            self.offered.set()
            if self._stall:
                await asyncio.Event().wait()
        return DigitsResult(self._answers.popleft(), timed_out=False)

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        raise AssertionError("the flow asks with Read")

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value

    async def get_variable(self, name: str) -> str | None:
        return None

    async def exec_app(self, app: str, data: str = "") -> int:
        return 0

    async def verbose(self, message: str, level: int = 1) -> None:
        return None

    async def hangup(self) -> None:
        return None


class BrokenBooking:
    """The real slot client, except that booking fails with a bug (not a service error)."""

    def __init__(self, slots: SlotClient) -> None:
        self._slots = slots

    def __getattr__(self, name: str) -> object:
        return getattr(self._slots, name)

    async def book(self, **_: object) -> None:
        raise RuntimeError("a bug in the booking path")


def plain_runner(slots: object) -> tuple[BookingRunner, AgiMetrics]:
    metrics = AgiMetrics(registry=CollectorRegistry())
    runner = build_booking_runner(flow=FlowSettings(), slots=slots, metrics=metrics)  # type: ignore[arg-type]
    return runner, metrics


async def test_an_unexpected_error_sets_ivr_result_error_releases_the_seat_and_propagates(
    slots: SlotClient, app: FastAPI
) -> None:
    runner, metrics = plain_runner(BrokenBooking(slots))
    channel = ScriptedChannel()
    with pytest.raises(RuntimeError, match="a bug"):
        await runner.run(channel)
    assert channel.offered.is_set(), "the caller reached the offer and accepted it"
    assert channel.variables["IVR_RESULT"] == "error"  # the dialplan's failure path
    assert await count(app) == 0
    outcome = {"result": "error", "language": "en"}
    assert metrics.registry.get_sample_value("ivr_call_outcomes_total", outcome) == 1


async def test_an_unexpected_error_after_the_caller_left_sets_nothing(slots: SlotClient) -> None:
    runner, _ = plain_runner(BrokenBooking(slots))
    channel = ScriptedChannel(caller_gone=True)
    with pytest.raises(RuntimeError):
        await runner.run(channel)
    assert "IVR_RESULT" not in channel.variables


async def test_a_call_cancelled_while_holding_a_seat_still_releases_it(
    slots: SlotClient, app: FastAPI
) -> None:
    runner, _ = plain_runner(slots)
    channel = ScriptedChannel(stall=True)
    assert isinstance(channel, AgiChannel)
    call = asyncio.create_task(runner.run(channel))
    await asyncio.wait_for(channel.offered.wait(), 10)
    assert await count(app) == 1
    call.cancel()  # e.g. the server's shutdown grace period is over
    with pytest.raises(asyncio.CancelledError):
        await call
    for _ in range(100):  # the release runs on, shielded from the cancellation
        if await count(app) == 0:
            break
        await asyncio.sleep(0.02)
    assert await count(app) == 0


def every_sound_file() -> set[str]:
    seed = tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))
    ids = prompt_ids(
        office_codes=[office["code"] for office in seed["offices"]],
        visit_type_codes=[visit["code"] for visit in seed["visit_types"]],
    )
    return {f"{language}/ivr/{i}" for language in LANGUAGES for i in ids | fragment_ids()}


async def test_a_missing_recording_costs_a_sentence_not_the_call(slots: SlotClient) -> None:
    # an Ask's only prompt, a middle one of an Ask (Read skips both) and one of a Play
    missing = {english("birthdate-prompt"), english("slot-offer-office"), english("searching")}
    transcript = await Engine(slots).call(BOOKING_KEYS, sound_files=every_sound_file() - missing)
    assert transcript.variables["IVR_RESULT"] == "booked"
    assert not missing & set(transcript.played)
    assert any("en/ivr/slot-offer-office" in c for c in transcript.commands)  # asked for


class LosesFirstBookingReply(httpx.AsyncBaseTransport):
    """The booking is made, but its reply is late: the client retries with the same key."""

    def __init__(self, inner: httpx.AsyncBaseTransport, delay_s: float) -> None:
        self._inner, self._delay_s = inner, delay_s
        self.booking_posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and request.url.path == "/bookings":
            self.booking_posts += 1
            if self.booking_posts == 1:
                await asyncio.sleep(self._delay_s)
        return response


async def test_the_booking_has_time_for_the_clients_idempotent_retry(app: FastAPI) -> None:
    late = LosesFirstBookingReply(httpx.ASGITransport(app=app), delay_s=1.5)
    async with SlotClient(
        base_url="http://s", token=TOKEN, transport=late, timeout_seconds=1.0
    ) as slots:
        engine = Engine(slots, service_budget_seconds=1.0, booking_budget_seconds=3.0)
        transcript = await engine.call(BOOKING_KEYS)
        bookings = await slots.bookings_for_caller(CALLER)
    assert late.booking_posts == 2
    assert transcript.variables["IVR_RESULT"] == "booked"
    assert len(bookings) == 1


async def test_callers_racing_for_the_same_earliest_seat_all_book(
    slots: SlotClient, app: FastAPI
) -> None:
    engine = Engine(slots)
    await engine.server.start()
    try:

        async def caller(number: int) -> Transcript:
            keys = [*BOOKING_KEYS[:4], Press(f"{7000 + number}#"), *BOOKING_KEYS[5:]]
            fake = FakeAsterisk(
                port=engine.server.port, caller=keys, callerid=f"+42060000000{number}"
            )
            return await fake.run()

        transcripts = await asyncio.gather(*(caller(number) for number in range(6)))
    finally:
        await engine.server.shutdown()
    assert [t.variables["IVR_RESULT"] for t in transcripts] == ["booked"] * 6
    assert await count(app) == 0
    assert await count(app, ALL_BOOKINGS) == 6


async def test_a_caller_gone_before_the_first_prompt_is_counted_as_a_hangup(
    slots: SlotClient,
) -> None:
    engine = Engine(slots)
    transcript = await engine.call([HangUp(between_commands=True)])
    assert transcript.caller_hung_up and transcript.played == []
    assert "IVR_RESULT" not in transcript.variables
    assert engine.outcome("hangup", "cs") == 1


async def test_hash_cuts_the_reference_read_out_short(slots: SlotClient) -> None:
    transcript = await Engine(slots).call([*BOOKING_KEYS[:8], Press("#")])
    assert transcript.variables["IVR_RESULT"] == "booked"
    assert english("reference-again") not in transcript.played
    assert transcript.played[-1] == english("goodbye")


async def test_a_caller_who_keyed_the_letters_keys_is_reminded_and_books_the_digits(
    slots: SlotClient,
) -> None:
    # FE123456 keyed as the keys of F and E (both 3): the read-back says letters are left out,
    # the caller enters the number again without them
    keys = [*BOOKING_KEYS[:4], Press("33123456#"), Press("05011990"), Press("2"),
            Press("123456#"), Press("05011990"), *BOOKING_KEYS[6:]]
    transcript = await Engine(slots).call(keys)
    assert transcript.variables["IVR_RESULT"] == "booked"
    readbacks = [c for c in transcript.commands if "en/ivr/readback-passport" in c]
    assert len(readbacks) == 2
    assert all("en/ivr/readback-letters&en/ivr/confirm-menu" in c for c in readbacks)
    (booking,) = await slots.bookings_for_caller(CALLER)
    found = await slots.booking(booking.reference, passport_digits="123456",
                                birth_date=date(1990, 1, 5))
    assert found.reference == booking.reference
    with pytest.raises(SlotRefused):
        await slots.booking(booking.reference, passport_digits="33123456",
                            birth_date=date(1990, 1, 5))


async def test_after_booking_the_caller_hears_what_was_booked_and_what_to_bring(
    slots: SlotClient,
) -> None:
    transcript = await Engine(slots).call([*BOOKING_KEYS[:-1], Press("1"), Silence()])
    (booking,) = await slots.bookings_for_caller(CALLER)
    reference_menu = next(c for c in transcript.commands if "en/ivr/booking-confirmed" in c)
    files = reference_menu.split(",")[1].split("&")
    spoken = [name.removeprefix("en/ivr/") for name in files]
    reference_at = spoken.index("booking-reference")
    booked = spoken[1:reference_at]
    assert booked[0].startswith("weekday-")
    assert booked[-2:] == ["slot-offer-office", f"office-{booking.office}"]
    assert spoken[reference_at + 1 :].count("reference-again") == 1
    assert spoken[-2:] == ["bring-documents", "reference-menu"]
    # 1 repeats all of it, then silence ends the call
    assert sum("en/ivr/booking-confirmed" in c for c in transcript.commands) == 2
    assert transcript.played.count(english("bring-documents")) == 1  # the 1 cut the first
    assert transcript.variables["IVR_RESULT"] == "booked"
