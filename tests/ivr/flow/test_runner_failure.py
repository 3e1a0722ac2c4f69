"""The booking runner's failure path over the real FastAGI server: an error the flow does not
expect sets IVR_RESULT=error before it leaves the runner (the transport's boundary only logs it
and closes), so the dialplan apologises and queues the caller ([ivr-result] error)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from prometheus_client import CollectorRegistry

from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.flow.runner import build_booking_runner
from ivr.flow.settings import FlowSettings
from tests.fakes.fake_asterisk import FakeAsterisk, Press


class BuggySlots:
    """A slot client with a bug: every request raises what no slot client should."""

    def __getattr__(self, name: str) -> Callable[..., Awaitable[NoReturn]]:
        async def broken(*_args: Any, **_kwargs: Any) -> NoReturn:
            raise RuntimeError(f"slot client bug in {name}")

        return broken


async def test_an_unexpected_error_sets_ivr_result_error_then_reaches_the_boundary() -> None:
    metrics = AgiMetrics(registry=CollectorRegistry())
    runner = build_booking_runner(flow=FlowSettings(), slots=BuggySlots(), metrics=metrics)
    server = FastAgiServer(settings=AgiSettings(port=0), routes={"booking": runner},
                           metrics=metrics)
    await server.start()
    try:
        transcript = await FakeAsterisk(port=server.port, caller=[Press("2")]).run()
    finally:
        await server.shutdown()

    assert transcript.set_variables[-1] == ("IVR_RESULT", "error")
    registry = metrics.registry
    assert registry.get_sample_value(
        "ivr_calls_finished_total", {"route": "booking", "ending": "error"}) == 1
    assert registry.get_sample_value(
        "ivr_call_outcomes_total", {"result": "error", "language": "en"}) == 1
