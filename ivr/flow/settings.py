"""Tunables of the call flow, passed into the machine and the runner through their constructors.

A plain frozen pydantic model, not a ``BaseSettings``: the process settings of ``ivr serve``
(:mod:`ivr.serve`) read the environment once and build this.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

LANGUAGES: tuple[str, ...] = ("cs", "en", "uk", "ru", "vi")
REGIONS: tuple[str, ...] = ("praha", "stredocesky")


class FlowSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_invalid_inputs: int = Field(default=3, ge=1)
    max_no_inputs: int = Field(default=3, ge=1)
    menu_timeout_ms: int = Field(default=5000, ge=100)
    first_digit_timeout_ms: int = Field(default=8000, ge=100)
    inter_digit_timeout_ms: int = Field(default=3000, ge=100)
    passport_min_digits: int = Field(default=4, ge=1)
    passport_max_digits: int = Field(default=20, ge=1)
    earliest_birth_year: int = 1900
    default_language: str = "cs"
    timezone: str = "Europe/Prague"
    service_budget_seconds: float = Field(default=2.0, gt=0)
