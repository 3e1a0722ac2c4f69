"""Playing a prompt's audio on the local sound card, without blocking the call.

The built ``.sln16`` files are raw signed 16-bit little-endian mono at 16 kHz; each common player
reads them given the format on its command line. The player runs as a subprocess so that the
phone keeps reading keys while it plays and can stop it on a key (typeahead). A player that
fails (no sound device, as on a server) only loses the sound: the text is shown regardless, and
the failure is reported once through ``on_failure``.

Why not a Python audio library: the players below ship with every desktop Linux, while
PortAudio bindings would add a compiled dependency for a demo convenience.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

PLAYER_ARGUMENTS: dict[str, list[str]] = {
    "aplay": ["-q", "-t", "raw", "-f", "S16_LE", "-r", "16000", "-c", "1"],
    "paplay": ["--raw", "--format=s16le", "--rate=16000", "--channels=1"],
    "play": ["-q", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", "16000", "-c", "1"],
}


def find_player(which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The command line (without the file) of the first player found: aplay, paplay, play."""
    for name, arguments in PLAYER_ARGUMENTS.items():
        executable = which(name)
        if executable is not None:
            return [executable, *arguments]
    return None


class AudioPlayer:
    """Plays one file at a time; a new file or :meth:`stop` ends the one playing."""

    def __init__(
        self, command: list[str], *, on_failure: Callable[[str], None] | None = None
    ) -> None:
        self._command = command
        self._on_failure = on_failure
        self._process: asyncio.subprocess.Process | None = None
        self._failed = False

    @property
    def playing(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, path: Path) -> None:
        await self.stop()
        if self._failed:
            return
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self._command,
                str(path),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as error:
            self._give_up(f"cannot start {self._command[0]}: {error}")

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.returncode is None:
            process.terminate()
        returncode = await process.wait()
        if returncode not in (0, -15) and not self._failed:
            self._give_up(f"{self._command[0]} exited with status {returncode}")

    def _give_up(self, reason: str) -> None:
        self._failed = True
        if self._on_failure is not None:
            self._on_failure(f"audio off: {reason}")
