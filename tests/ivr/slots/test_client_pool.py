"""The slot client's connection pool stays cheap per request (see :mod:`ivr.slots.client`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

import httpcore._synchronization as httpcore_sync
import pytest


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
