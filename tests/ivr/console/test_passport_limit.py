"""One passport limit everywhere: the slot service's (api.identity), taken by the call flow's
settings, the console's booking form and its page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from api.identity import PASSPORT_MAX_DIGITS, PASSPORT_MIN_DIGITS
from api.schemas import PassportDigits
from ivr.console.app import BookingRequest
from ivr.flow.settings import FlowSettings

PAGE = Path(__file__).resolve().parents[3] / "ivr" / "console" / "static" / "index.html"


def booking(passport: str) -> BookingRequest:
    return BookingRequest(slot_id=1, caller_number="+420777123456", language="uk",
                          passport_digits=passport, birth_date="1990-04-01")  # type: ignore[arg-type]


@pytest.mark.parametrize("digits", [PASSPORT_MIN_DIGITS, 12, PASSPORT_MAX_DIGITS])
def test_the_console_and_the_service_take_4_to_20_digits(digits: int) -> None:
    number = "1234567890" * 2
    assert booking(number[:digits]).passport_digits == number[:digits]
    assert TypeAdapter(PassportDigits).validate_python(number[:digits]) == number[:digits]


@pytest.mark.parametrize("passport", ["123", "1" * 21, "FE123456", "12 34"])
def test_the_console_refuses_what_the_service_refuses(passport: str) -> None:
    with pytest.raises(ValidationError):
        booking(passport)
    with pytest.raises(ValidationError):
        TypeAdapter(PassportDigits).validate_python(passport)


def test_the_console_page_asks_for_the_same_limit() -> None:
    (field,) = re.findall(r'<input id="bk-passport"[^>]*>', PAGE.read_text(encoding="utf-8"))
    pattern = re.search(r'pattern="([^"]+)"', field)
    assert pattern is not None
    assert pattern[1] == f"[0-9]{{{PASSPORT_MIN_DIGITS},{PASSPORT_MAX_DIGITS}}}"
    assert "letters" in field  # the rule: the passport number without its letters


def test_the_flow_takes_the_service_limit_and_nothing_wider() -> None:
    settings = FlowSettings()
    assert (settings.passport_min_digits, settings.passport_max_digits) == (4, 20)
    with pytest.raises(ValidationError):
        FlowSettings(passport_max_digits=PASSPORT_MAX_DIGITS + 1)
    with pytest.raises(ValidationError):
        FlowSettings(passport_min_digits=PASSPORT_MIN_DIGITS - 1)
