"""The terminal phone through the whole engine: the real FastAGI server, the real call flow,
the real slot client and the real slot service (in-process, on a copy of today's
template database), and the real catalog."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import CollectorRegistry

from api.testing import DEV_TOKENS, prepared_app
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.flow.runner import build_booking_runner
from ivr.flow.settings import FlowSettings
from ivr.phone.call import PhoneSettings, TerminalPhone
from ivr.phone.keys import ScriptedKeys
from ivr.phone.library import PromptLibrary
from ivr.phone.record import CallRecord
from ivr.slots import SlotClient
from prompts.catalog import load_catalog
from tests.ivr.phone.recording_display import RecordingDisplay

CALLER = "+420777123456"
ENGLISH_BOOKING = "2 1 1 1 12345678# 01021990 1 1"


@pytest.fixture
async def slots(postgres_server: str, today_template: str) -> AsyncIterator[SlotClient]:
    async with prepared_app(postgres_server, template=today_template) as app:
        client = SlotClient(
            base_url="http://slots.test",
            token=DEV_TOKENS["ivr"],
            transport=httpx.ASGITransport(app=app),
        )
        async with client:
            yield client


@pytest.fixture
async def agi_port(slots: SlotClient) -> AsyncIterator[int]:
    metrics = AgiMetrics(registry=CollectorRegistry())
    runner = build_booking_runner(flow=FlowSettings(), slots=slots, metrics=metrics)
    server = FastAgiServer(
        settings=AgiSettings(port=0, shutdown_grace_s=2),
        routes={"booking": runner},
        metrics=metrics,
    )
    await server.start()
    yield server.port
    await server.shutdown()


async def call(port: int, script: str, display: RecordingDisplay) -> CallRecord:
    phone = TerminalPhone(
        settings=PhoneSettings(port=port, caller_number=CALLER, reply_wait_seconds=10),
        keys=ScriptedKeys(script),
        display=display,
        prompts=PromptLibrary(texts=load_catalog(), sounds_dir=None, pace=0),
    )
    return await phone.call()


async def test_an_english_caller_books_the_earliest_slot(agi_port: int, slots: SlotClient) -> None:
    display = RecordingDisplay()
    record = await call(agi_port, ENGLISH_BOOKING, display)

    assert record.result == "booked", record.ivr_variables
    assert record.variables.get("CHANNEL(language)") == "en"
    (booking,) = await slots.bookings_for_caller(CALLER)
    assert booking.office == "praha-zukovskeho"
    assert booking.language == "en"
    assert display.of_kind("missing") == [], "every prompt the flow plays is in the catalog"
    shown = display.of_kind("prompt")
    assert shown[0][1:3] == ("cs", "welcome")
    assert all(text for _, _, _, text in shown), "every prompt has its text"
    assert any(prompt_id == "booking-confirmed" for _, _, prompt_id, _ in shown)


async def test_a_second_call_from_the_same_number_hears_the_booking(agi_port: int) -> None:
    await call(agi_port, ENGLISH_BOOKING, RecordingDisplay())
    display = RecordingDisplay()
    record = await call(agi_port, "2 2 1", display)  # English, cancel, confirm
    prompt_ids = [prompt_id for _, _, prompt_id, _ in display.of_kind("prompt")]
    assert "existing-booking" in prompt_ids
    assert record.result == "cancelled", record.ivr_variables


async def test_operator_key_falls_out_with_its_reason(agi_port: int) -> None:
    record = await call(agi_port, "2 0", RecordingDisplay())
    assert record.result == "fallout"
    assert record.fallout_reason == "operator-request"
    assert record.variables.get("IVR_LANGUAGE") == "en"


async def test_a_caller_who_hangs_up_leaves_no_booking(agi_port: int, slots: SlotClient) -> None:
    record = await call(agi_port, "2 1 1 1 12345678# 01021990 1 !", RecordingDisplay())
    assert record.caller_hung_up
    assert await slots.bookings_for_caller(CALLER) == []
