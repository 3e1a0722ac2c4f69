"""The flow's settings: from the environment, and refusing values the flow cannot use."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ivr.flow.settings import FlowSettings


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
