"""What every service needs, handed in once by ``api.app.create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from api.clock import Clock
from api.db import Database
from api.metrics import Metrics
from api.settings import ApiSettings


@dataclass(frozen=True)
class ServiceContext:
    database: Database
    settings: ApiSettings
    clock: Clock
    metrics: Metrics

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)
