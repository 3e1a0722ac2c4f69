"""Retention: the personal data of past bookings is erased after a configurable number of days.

A booking whose visit started more than ``older_than_days`` ago keeps what the statistics need
(office, visit type, time, channel, language, status, reference) and loses what identifies a
person: the caller number and the identity fingerprint become empty strings. Holds older than
that are deleted outright (they only ever served the hold limit of the last hour).

The identity limits count bookings created in the last ``policy.identity_window_days``; erasing
fingerprints younger than that window would let an identity book again, so a shorter period is
refused (``InvalidRequest``). Running the purge twice changes nothing the second time.

Errors: ``InvalidRequest`` (period shorter than the identity window), ``DatabaseUnavailable``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, delete, update

from api.errors import InvalidRequest
from api.models import TIMESTAMPTZ, Booking, Hold
from api.services.context import ServiceContext

ERASED = ""
BOOKINGS = cast(Table, Booking.__table__)
HOLDS = cast(Table, Hold.__table__)
_CUTOFF = bindparam("cutoff", type_=TIMESTAMPTZ)
ERASE_PERSONAL_DATA = (
    update(BOOKINGS)
    .where(
        BOOKINGS.c.starts_at < _CUTOFF,
        BOOKINGS.c.created_at < _CUTOFF,
        (BOOKINGS.c.caller_number != ERASED) | (BOOKINGS.c.identity_hash != ERASED),
    )
    .values(caller_number=ERASED, identity_hash=ERASED)
)
DELETE_OLD_HOLDS = delete(HOLDS).where(HOLDS.c.created_at < _CUTOFF)


@dataclass(frozen=True)
class PurgeReport:
    bookings_erased: int
    holds_deleted: int


class RetentionService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def purge_personal_data(self, *, older_than_days: int) -> PurgeReport:
        window = self._context.settings.policy.identity_window_days
        if older_than_days < window:
            raise InvalidRequest(
                "the retention period is shorter than the identity-limit window",
                older_than_days=older_than_days,
                identity_window_days=window,
            )
        cutoff = self._context.clock.now() - dt.timedelta(days=older_than_days)
        async with self._context.database.transaction() as runner:
            erased = await runner.rowcount(ERASE_PERSONAL_DATA, {"cutoff": cutoff})
            deleted = await runner.rowcount(DELETE_OLD_HOLDS, {"cutoff": cutoff})
        return PurgeReport(bookings_erased=erased, holds_deleted=deleted)
