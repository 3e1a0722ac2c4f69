"""Tunables of the call flow (env prefix ``IVR_FLOW_``), passed into the machine and the runner
through their constructors; whoever starts the engine (``ivr serve``, the AGI route factory)
builds them once.

Errors: pydantic's ``ValidationError`` for a value out of range.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.identity import PASSPORT_MAX_DIGITS, PASSPORT_MIN_DIGITS

LANGUAGES: tuple[str, ...] = ("cs", "en", "uk", "ru", "vi")
REGIONS: tuple[str, ...] = ("praha", "stredocesky")


class FlowSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IVR_FLOW_", frozen=True)

    max_invalid_inputs: int = Field(default=3, ge=1, description="wrong keys before an operator")
    max_no_inputs: int = Field(default=3, ge=1, description="silences before an operator")
    # 8 s: slow callers answer 4-7 s after a menu ends; with 5 s they heard no-input at almost
    # every menu (1,136 reprompts in 2,000 calls, docs/benchmarks.md "Callers", 90 with 8 s)
    menu_timeout_ms: int = Field(default=8000, ge=100, description="silence after a menu")
    first_digit_timeout_ms: int = Field(
        default=8000, ge=100, description="silence before the first digit of a number"
    )
    inter_digit_timeout_ms: int = Field(
        default=3000, ge=100, description="silence after a digit that ends a number"
    )
    # within the slot service's limit (api.identity): a number it refuses is not taken
    passport_min_digits: int = Field(
        default=PASSPORT_MIN_DIGITS, ge=PASSPORT_MIN_DIGITS, le=PASSPORT_MAX_DIGITS
    )
    passport_max_digits: int = Field(
        default=PASSPORT_MAX_DIGITS, ge=PASSPORT_MIN_DIGITS, le=PASSPORT_MAX_DIGITS
    )
    earliest_birth_year: int = 1900
    default_language: Literal["cs", "en", "uk", "ru", "vi"] = "cs"
    timezone: str = "Europe/Prague"
    service_budget_seconds: float = Field(
        default=2.0, gt=0, description="time allowed to each slot-service request"
    )
    booking_budget_seconds: float = Field(
        default=6.0,
        gt=0,
        description="time allowed to the booking request, which the slot client retries "
        "with the same Idempotency-Key (three attempts of two seconds by default)",
    )

    catalog_max_age_seconds: float = Field(
        default=30.0,
        gt=0,
        le=60,
        description="how long the offices and visit types the slot service sent are used for "
        "every call before they are asked again (an office an administrator deactivates leaves "
        "the menu within this time; ivr.slots.catalog_cache)",
    )

    @model_validator(mode="after")
    def _passport_limits_in_order(self) -> Self:
        if self.passport_min_digits > self.passport_max_digits:
            raise ValueError("passport_min_digits is larger than passport_max_digits")
        return self
