"""Fan-out of "the state changed" to every open server-sent-event stream.

Each stream owns a queue of size one: a burst of AMI events while a browser is slow collapses
into one wake-up, after which the stream sends the *current* snapshot, so nothing is lost by
dropping the extra wake-ups and no slow browser can make the bridge wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Sequence


class ChangeHub:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[None]] = set()

    def notify(self, _changes: Sequence[object] = ()) -> None:
        for queue in self._subscribers:
            if queue.empty():
                queue.put_nowait(None)

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[None]]:
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)
