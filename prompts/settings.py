"""Settings of the prompt build (env prefix `PROMPTS_`), passed into the builder and backends."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class PromptSettings(BaseSettings):
    """Where the catalog, recordings, cache and output live, and how the backends behave."""

    model_config = SettingsConfigDict(env_prefix="PROMPTS_")

    catalog_dir: Path = PACKAGE_DIR / "catalog"
    recorded_dir: Path = PACKAGE_DIR / "recorded"
    cache_dir: Path = Path("build/tts-cache")
    out_dir: Path = Path("build/sounds")
    backend: Literal["espeak", "gtts"] = "espeak"
    # languages whose TTS the studio recordings replace: built only from a complete, checked set
    recorded_languages: tuple[str, ...] = ()
    jobs: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    espeak_binary: str = "espeak-ng"
    # None: each language's rate from prompts.languages; a number overrides it for every language
    espeak_speed_wpm: int | None = Field(default=None, ge=80, le=450)
    sox_binary: str = "sox"
    gtts_min_interval_s: float = Field(default=1.0, ge=0)
    gtts_max_retries: int = Field(default=5, ge=0)
    gtts_backoff_s: float = Field(default=2.0, ge=0)
    gtts_timeout_s: float = Field(default=20.0, gt=0)
