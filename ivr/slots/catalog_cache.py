"""Offices and visit types shared by every call of the process, for at most ``max_age`` seconds.

Every booking call asked the slot service for the offices and for the chosen office's visit
types: the same answers, call after call, a third of the call's requests. :class:`CatalogCache`
wraps the slot client (any :class:`ivr.slots.adapter.SlotService`) and answers those two from
memory; every other request goes straight through.

The invalidation rule, the one thing to know: **an answer is used for ``max_age`` seconds from
the moment its request was sent, then asked again** (default 30 s, at most 60 s: an office an
administrator deactivates is gone from the menu of every call that loads the offices 60 s
later at the latest, the time of the request included). Nothing else invalidates: the service
has no change notifications, and the age is the bound. A failed request (unavailable, a
refusal such as office-not-found) is never cached and never answered with an older copy: the
call gets the error, as without the cache, and the next call asks again. Requests for the
same entry while one is on its way wait for that one instead of sending their own; a caller
who gives up (his time budget, a hang-up) does not cancel it for the others.

Errors: whatever the wrapped client raises (:mod:`ivr.slots.errors`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Final

from ivr.slots.adapter import SlotService
from ivr.slots.models import Office, VisitType

LONGEST_MAX_AGE_SECONDS: Final = 60.0


@dataclass(frozen=True)
class _Entry:
    asked_at: float
    value: tuple[Any, ...]


class CatalogCache:
    """The wrapped slot service, with ``offices()`` and ``visit_types()`` cached."""

    def __init__(
        self,
        slots: SlotService,
        *,
        max_age_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < max_age_seconds <= LONGEST_MAX_AGE_SECONDS:
            raise ValueError(f"max_age_seconds must be in (0, {LONGEST_MAX_AGE_SECONDS}]")
        self._slots = slots
        self._max_age = max_age_seconds
        self._clock = clock
        self._entries: dict[Hashable, _Entry] = {}
        self._asking: dict[Hashable, asyncio.Task[_Entry]] = {}

    async def offices(self) -> list[Office]:
        return list(await self._cached(("offices",), lambda: self._slots.offices()))

    async def visit_types(self, office: str) -> list[VisitType]:
        return list(
            await self._cached(("visit-types", office), lambda: self._slots.visit_types(office))
        )

    async def _cached(
        self, key: Hashable, ask: Callable[[], Awaitable[list[Any]]]
    ) -> tuple[Any, ...]:
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry.asked_at < self._max_age:
            return entry.value
        task = self._asking.get(key)
        if task is None:
            task = asyncio.create_task(self._ask(key, ask))
            self._asking[key] = task
            task.add_done_callback(lambda done: self._asked(key, done))
        return (await asyncio.shield(task)).value

    async def _ask(self, key: Hashable, ask: Callable[[], Awaitable[list[Any]]]) -> _Entry:
        asked_at = self._clock()  # the answer's age counts from the request, not the reply
        entry = _Entry(asked_at, tuple(await ask()))
        self._entries[key] = entry
        return entry

    def _asked(self, key: Hashable, task: asyncio.Task[_Entry]) -> None:
        if self._asking.get(key) is task:
            del self._asking[key]
        if not task.cancelled():
            task.exception()  # retrieved here: every waiter may have given up

    def __getattr__(self, name: str) -> Any:
        """Every other request of :class:`ivr.slots.adapter.SlotService` goes straight through
        to the wrapped client: bookings, holds, availability are never cached."""
        return getattr(self._slots, name)
