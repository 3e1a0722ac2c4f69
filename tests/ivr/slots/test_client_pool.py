"""The slot client's connection pool stays cheap per request (see :mod:`ivr.slots.client`)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

import httpcore._synchronization as httpcore_sync
import pytest

from ivr.slots.client import SlotClient, SlotClientSettings
from tests.ivr.slots.counting_server import counting_server


class RecordingFinder:
    """A meta-path finder that only notes which modules Python searched for."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        self.searched.append(name)
        return None


async def test_httpcore_asks_for_the_async_library_without_an_import_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpcore calls this on every pool event (request queued, response closed); without the
    # sniffio package each call is a failed import that walks sys.path (~10% of the FastAGI
    # process's CPU in the full-flow bench)
    finder = RecordingFinder()
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])

    assert httpcore_sync.current_async_library() == "asyncio"
    assert finder.searched == []


async def test_by_default_a_hundred_calls_at_once_share_twenty_connections() -> None:
    """httpcore's pool works per request in proportion to the square of its size: the default
    pool matches the slot service's database pool (20), not the number of live calls."""
    async with counting_server(delay_s=0.02, backlog=200) as (port, connections):
        settings = SlotClientSettings(base_url=f"http://127.0.0.1:{port}")
        async with SlotClient.from_settings(settings) as client:
            results = await asyncio.gather(*(client.offices() for _ in range(100)))
    assert results == [[]] * 100
    assert connections.most == 20
