"""Caller numbers and passport digits never reach the logs or the metrics.

Full bookings through the API and through the FastAGI flow (fake Asterisk → FastAGI server →
runner → slot client → slot service), a caller who hangs up while keying the passport and a
slot service that answers the booking too late, with every logger at DEBUG and the logging
configuration that ``slot-service serve`` and ``ivr serve`` install (``api.privacy``). The raw
records do carry the caller numbers (httpx's request lines, the transport's hang-up line): the
test proves they are masked on the way out, not merely never logged.
"""

from __future__ import annotations

import asyncio
import io
import logging
import logging.config
from collections.abc import AsyncIterator, Iterator, Sequence

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest

from api.privacy import logging_config
from api.testing import DEV_TOKENS, client_for, prepared_app
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.flow.runner import build_booking_runner
from ivr.flow.settings import FlowSettings
from ivr.slots import SlotClient
from tests.fakes.fake_asterisk import CallerEvent, FakeAsterisk, HangUp, Press, Silence

API_CALLER = "+420601112233"
PHONE_CALLER = "+420777123456"
PASSPORT = "98765432"
PHONE_PASSPORT = "123456789"
SECRETS = (API_CALLER, PHONE_CALLER, PASSPORT, PHONE_PASSPORT)


class Recorder(logging.Handler):
    """Keeps the raw messages, to show what would have leaked without the mask."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.raw: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.raw.append(record.getMessage())


@pytest.fixture
def masked_logs() -> Iterator[tuple[io.StringIO, Recorder]]:
    stream, recorder = io.StringIO(), Recorder()
    config = logging_config("debug")
    config["handlers"]["stderr"]["stream"] = stream
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(config)
    root.addHandler(recorder)
    try:
        yield stream, recorder
    finally:
        root.handlers, root.level = saved


@pytest.fixture
async def app(postgres_server: str, today_template: str) -> AsyncIterator[FastAPI]:
    async with prepared_app(postgres_server, template=today_template) as prepared:
        yield prepared


class DelayedBookings(httpx.AsyncBaseTransport):
    """The real app, but ``POST /bookings`` answers after ``delay_s``."""

    def __init__(self, app: FastAPI, delay_s: float) -> None:
        self._inner, self._delay_s = httpx.ASGITransport(app=app), delay_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/bookings":
            await asyncio.sleep(self._delay_s)
        return await self._inner.handle_async_request(request)


async def _phone_call(
    app: FastAPI, caller: Sequence[CallerEvent], *, booking_delay_s: float = 0.0, **flow: float
) -> tuple[dict[str, str], bytes]:
    metrics = AgiMetrics(registry=CollectorRegistry())
    transport = DelayedBookings(app, booking_delay_s)
    async with SlotClient(
        base_url="http://slots.test", token=DEV_TOKENS["ivr"], transport=transport
    ) as slots:
        runner = build_booking_runner(flow=FlowSettings(**flow), slots=slots, metrics=metrics)
        server = FastAgiServer(
            settings=AgiSettings(port=0), routes={"booking": runner}, metrics=metrics
        )
        await server.start()
        try:
            transcript = await FakeAsterisk(
                port=server.port, caller=caller, callerid=PHONE_CALLER
            ).run()
        finally:
            await server.shutdown()
    return transcript.variables, generate_latest(metrics.registry)


def _booking_keys(passport: str) -> list[CallerEvent]:
    return [Press("2"), Press("1"), Press("1"), Press("1"), Press(f"{passport}#"),
            Press("05011990"), Press("1"), Press("1"), Silence()]


async def test_no_number_or_passport_in_logs_or_metrics(
    app: FastAPI, masked_logs: tuple[io.StringIO, Recorder]
) -> None:
    stream, recorder = masked_logs
    async with client_for(app, DEV_TOKENS["ivr"]) as ivr:
        slot = (await ivr.get("/availability", params={
            "office": "kladno", "visit_type": "biometrics"})).json()["slots"][0]
        held = (await ivr.post("/holds", json={
            "slot_id": slot["slot_id"], "caller_number": API_CALLER, "language": "cs"})).json()
        booked = await ivr.post("/bookings", json={
            "hold_id": held["hold_id"], "caller_number": API_CALLER, "language": "cs",
            "passport_digits": PASSPORT, "birth_date": "1985-03-02"})
        assert booked.status_code == 201
        reference = booked.json()["reference"]
        looked_up = await ivr.get(f"/bookings/{reference}", params={
            "passport_digits": PASSPORT, "birth_date": "1985-03-02"})
        assert looked_up.status_code == 200
        # the caller's number in a query string: httpx logs the URL (the service's own access
        # log names the path template only)
        listed = await ivr.get("/bookings", params={"caller_number": API_CALLER})
        assert [found["reference"] for found in listed.json()] == [reference]
        refused = await ivr.get(f"/bookings/{reference}", params={"caller_number": "+42011"})
        assert refused.json()["error_id"] == "validation-error"
        assert "+42011" not in refused.text  # the offending input is not echoed
        api_metrics = (await ivr.get("/metrics")).text

    hung_up, _ = await _phone_call(
        app, [Press("2"), Press("1"), Press("1"), Press("1"), Press("1234"), HangUp()]
    )
    assert hung_up.get("IVR_RESULT") != "booked"
    too_late, _ = await _phone_call(
        app, _booking_keys("55566677")[:-1], booking_delay_s=1.0, booking_budget_seconds=0.3
    )
    assert too_late["IVR_FALLOUT_REASON"] == "service-error"
    booked_by_phone, phone_metrics = await _phone_call(app, _booking_keys(PHONE_PASSPORT))
    assert booked_by_phone["IVR_RESULT"] == "booked"

    raw = "\n".join(recorder.raw)
    # (as httpx logs them, in query strings: %2B420…)
    assert all(number.lstrip("+") in raw for number in (API_CALLER, PHONE_CALLER)), (
        "the scenario must log the numbers"
    )
    output = stream.getvalue()
    assert "took longer" in output and "hung up" in output
    for secret in (*SECRETS, "55566677", API_CALLER.lstrip("+"), PHONE_CALLER.lstrip("+")):
        assert secret not in output, secret
        assert secret not in api_metrics and secret not in phone_metrics.decode(), secret


async def test_the_operator_console_masks_its_logs_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from ivr.ami.settings import AmiSettings
    from ivr.console import command
    from ivr.console.settings import ConsoleSettings

    configs: list[uvicorn.Config] = []

    async def no_serving(server: uvicorn.Server) -> None:
        configs.append(server.config)

    monkeypatch.setattr(uvicorn.Server, "serve", no_serving)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        await command.serve(ConsoleSettings(), AmiSettings())
        (config,) = configs
        assert isinstance(config.log_config, dict)
        stream = io.StringIO()
        config.log_config["handlers"]["stderr"]["stream"] = stream
        logging.config.dictConfig(config.log_config)
        logging.getLogger("uvicorn.access").info('"GET /api/callers?number=%s"', PHONE_CALLER)
    finally:
        root.handlers, root.level = saved
    assert "+*********456" in stream.getvalue() and PHONE_CALLER not in stream.getvalue()
