"""The audio player: found on PATH, started without blocking, stopped by a key."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ivr.phone.audio import AudioPlayer, find_player


def test_find_player_prefers_aplay_then_paplay_then_play() -> None:
    installed = {"play": "/usr/bin/play", "paplay": "/usr/bin/paplay"}
    command = find_player(installed.get)
    assert command is not None
    assert command[0] == "/usr/bin/paplay"
    assert "--rate=16000" in command
    assert find_player(lambda name: None) is None


def fake_player(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "player.sh"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return [str(script)]


async def test_a_playing_file_is_stopped(tmp_path: Path) -> None:
    failures: list[str] = []
    player = AudioPlayer(fake_player(tmp_path, "sleep 30"), on_failure=failures.append)
    await player.start(tmp_path / "prompt.sln16")
    assert player.playing
    loop = asyncio.get_running_loop()
    started = loop.time()
    await player.stop()
    assert not player.playing
    assert loop.time() - started < 5
    assert failures == []


async def test_a_failing_player_turns_audio_off_once(tmp_path: Path) -> None:
    failures: list[str] = []
    player = AudioPlayer(fake_player(tmp_path, "exit 3"), on_failure=failures.append)
    await player.start(tmp_path / "prompt.sln16")
    await asyncio.sleep(0.2)
    await player.stop()
    await player.start(tmp_path / "prompt.sln16")
    await player.stop()
    assert len(failures) == 1
    assert "status 3" in failures[0]


async def test_a_missing_player_turns_audio_off(tmp_path: Path) -> None:
    failures: list[str] = []
    player = AudioPlayer([str(tmp_path / "no-such-player")], on_failure=failures.append)
    await player.start(tmp_path / "prompt.sln16")
    assert not player.playing
    assert failures and "cannot start" in failures[0]
