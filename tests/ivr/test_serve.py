"""`ivr serve` as an operator starts it: a process, settings from the environment, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from api.testing import prepared_app
from ivr.agi.metrics import AgiMetrics
from ivr.flow.runner import BookingRunner
from ivr.operator_hours import OperatorHoursRoute
from ivr.serve import ServeSettings, engine_routes
from ivr.slots import SlotClient
from tests.fakes.fake_asterisk import FakeAsterisk, Press, Silence
from tests.ivr.flow.http_slots import free_port, slot_service_over_http

CALLER = "+420777123456"
IVR = str(Path(sys.executable).parent / "ivr")  # the installed console script


@pytest.fixture
async def slot_service_url(postgres_server: str, today_template: str) -> AsyncIterator[str]:
    async with prepared_app(postgres_server, template=today_template) as app, \
            slot_service_over_http(app) as url:
        yield url


async def wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(200):
        if process.returncode is not None:
            raise AssertionError(f"ivr serve exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise AssertionError("ivr serve did not listen")


def test_the_settings_read_each_part_from_its_own_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IVR_AGI_PORT", "4599")
    monkeypatch.setenv("IVR_SLOTS_BASE_URL", "http://slots.example:8080")
    monkeypatch.setenv("IVR_FLOW_MAX_NO_INPUTS", "5")
    settings = ServeSettings()
    assert settings.agi.port == 4599
    assert settings.slots.base_url == "http://slots.example:8080"
    assert settings.flow.max_no_inputs == 5
    assert settings.slots.token.get_secret_value() == "ivr-dev-token"


async def test_ivr_serve_books_a_call_and_stops_on_sigterm(slot_service_url: str) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        IVR,
        "serve",
        "--port",
        str(port),
        "--slots-url",
        slot_service_url,
        env={**os.environ, "IVR_LOG_LEVEL": "WARNING"},
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await wait_for_port(port, process)
        transcript = await FakeAsterisk(
            port=port,
            caller=[
                Press("2"),
                Press("1"),
                Press("1"),
                Press("1"),
                Press("123456789#"),
                Press("05011990"),
                Press("1"),
                Press("1"),
                Silence(),
            ],
        ).run()
        assert transcript.variables["IVR_RESULT"] == "booked"
        async with SlotClient(base_url=slot_service_url, token="ivr-dev-token") as slots:
            (booking,) = await slots.bookings_for_caller(CALLER)
        assert booking.office == "praha-zukovskeho"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        assert process.stderr is not None
        stderr = await asyncio.wait_for(process.stderr.read(), 30)
        returncode = await asyncio.wait_for(process.wait(), 30)
    assert returncode == 0, stderr.decode()


async def test_a_bad_setting_is_refused_before_serving() -> None:
    process = await asyncio.create_subprocess_exec(
        IVR,
        "serve",
        env={**os.environ, "IVR_FLOW_MAX_NO_INPUTS": "0"},
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert b"max_no_inputs" in stderr


def test_the_engine_serves_booking_notice_and_operator_hours_which_the_settings_may_replace(
) -> None:
    metrics = AgiMetrics(registry=CollectorRegistry())
    slots = object()  # never called while the routes are built
    routes = engine_routes(ServeSettings(), slots=slots, metrics=metrics)  # type: ignore[arg-type]
    assert set(routes) == {"booking", "notice", "operator-hours"}
    assert isinstance(routes["booking"], BookingRunner)
    assert isinstance(routes["operator-hours"], OperatorHoursRoute)
    pinned = ServeSettings(agi={"routes": {
        "operator-hours": "tests.e2e.working_day:create_route",
        "booking": "tests.ivr.agi.sample_routes:create_crashing_handler"}})
    replaced = engine_routes(pinned, slots=slots, metrics=metrics)  # type: ignore[arg-type]
    hours = replaced["operator-hours"]
    assert isinstance(hours, OperatorHoursRoute) and hours.today().isoformat() == "2026-12-23"
    assert isinstance(replaced["booking"], BookingRunner)  # the booking route is the engine's own
