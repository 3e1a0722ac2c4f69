"""The flow's settings: from the environment (at the entry point only), and refusing values the
flow cannot use."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from ivr.agi.metrics import AgiMetrics
from ivr.flow.runner import BookingRunner, create_booking_handler
from ivr.flow.settings import FlowSettings
from ivr.serve import create_booking_handler as serve_route_factory
from ivr.slots import SlotClientSettings


def test_settings_come_from_ivr_flow_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_FLOW_MAX_INVALID_INPUTS", "2")
    monkeypatch.setenv("IVR_FLOW_INTER_DIGIT_TIMEOUT_MS", "2500")
    settings = FlowSettings()
    assert settings.max_invalid_inputs == 2 and settings.inter_digit_timeout_ms == 2500
    assert settings.max_no_inputs == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"default_language": "de"},
        {"passport_min_digits": 9, "passport_max_digits": 8},
        {"max_invalid_inputs": 0},
    ],
)
def test_flow_settings_refuse_what_the_flow_cannot_use(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FlowSettings(**bad)  # type: ignore[arg-type]


async def test_the_route_factory_takes_its_settings_and_reads_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # values the flow could not use: read from the environment, they would fail
    monkeypatch.setenv("IVR_FLOW_MAX_INVALID_INPUTS", "0")
    monkeypatch.setenv("IVR_SLOTS_TIMEOUT_SECONDS", "not a number")
    metrics = AgiMetrics(registry=CollectorRegistry())
    flow = FlowSettings(_env_prefix="UNUSED_FLOW_", max_invalid_inputs=2)  # type: ignore[call-arg]
    slots = SlotClientSettings(_env_prefix="UNUSED_SLOTS_")  # type: ignore[call-arg]
    handler = create_booking_handler(metrics=metrics, flow=flow, slots=slots)
    assert isinstance(handler, BookingRunner)
    assert handler._machine.settings.max_invalid_inputs == 2
    # the entry point's factory (what ivr-agi-classic names) is the one that reads them
    with pytest.raises(ValidationError):
        serve_route_factory(metrics=metrics)
