"""Where the terminal phone's keys come from: a script, or a person at the keyboard.

The call engine sees keys only through :class:`KeySource`, so tests and `make demo --script`
drive a call without a terminal. Two sources behave as a caller does:

- :class:`ScriptedKeys` plays a script such as ``"2 1 1 1 12345678# 01021990 1 1"``: each key
  waits, typed ahead, until a command can take it (a prompt with that key among its escape
  digits, GET DATA, WAIT FOR DIGIT); ``.`` is a silence (the caller says nothing when asked),
  ``!`` hangs up; a finished script is silence from then on, so the flow ends the call itself.
- :class:`QueuedKeys` takes keys as they are pressed (the terminal feeds it): a key pressed
  while a prompt plays ends the prompt when it is an escape digit and is dropped otherwise, as
  Asterisk drops it; Enter is a silence; a hang-up is remembered until the phone acts on it.

Errors: ``ValueError`` for a script with characters that are no key.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Protocol

DTMF_KEYS = "0123456789*#"
SILENCE = "silence"
HANGUP = "hangup"


class KeySource(Protocol):
    async def during_prompt(self, *, seconds: float, escape_digits: str) -> str | None:
        """An escape digit or HANGUP that ends a prompt of `seconds`, or None if it played out."""
        ...

    async def wait(self, *, seconds: float | None) -> str | None:
        """The next key, SILENCE or HANGUP; None when `seconds` (None: forever) passed."""
        ...

    def hangup_pending(self) -> bool:
        """True when the caller hung up while no command was waiting for a key."""
        ...


def parse_script(script: str) -> list[str]:
    """Keys of a script: DTMF keys, ``.`` for a silence, ``!`` for a hang-up; spaces ignored."""
    keys: list[str] = []
    for character in script:
        if character.isspace():
            continue
        if character in DTMF_KEYS:
            keys.append(character)
        elif character == ".":
            keys.append(SILENCE)
        elif character == "!":
            keys.append(HANGUP)
        else:
            raise ValueError(f"{character!r} is not a key (use 0-9 * # . !) in {script!r}")
    return keys


class ScriptedKeys:
    """A caller who keys a fixed script, ahead of the prompts, and never waits in real time."""

    def __init__(self, script: str) -> None:
        self._keys = deque(parse_script(script))

    @property
    def remaining(self) -> list[str]:
        return list(self._keys)

    async def during_prompt(self, *, seconds: float, escape_digits: str) -> str | None:
        if self._keys and (self._keys[0] in escape_digits or self._keys[0] == HANGUP):
            return self._keys.popleft()
        return None

    async def wait(self, *, seconds: float | None) -> str | None:
        if self._keys:
            return self._keys.popleft()
        return None

    def hangup_pending(self) -> bool:
        return False


class QueuedKeys:
    """Keys pressed in real time (by the terminal, or by a test) and consumed by the phone."""

    def __init__(self, *, on_dropped: Callable[[str], None] | None = None) -> None:
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._hung_up = False
        self._on_dropped = on_dropped

    def press(self, key: str) -> None:
        if key not in DTMF_KEYS and key not in (SILENCE, HANGUP):
            raise ValueError(f"{key!r} is not a key")
        if key == HANGUP:
            self._hung_up = True
        self._queue.put_nowait(key)

    async def during_prompt(self, *, seconds: float, escape_digits: str) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0 and self._queue.empty():
                return None
            try:
                key = await asyncio.wait_for(self._queue.get(), max(remaining, 0))
            except TimeoutError:
                return None
            if key == HANGUP or key in escape_digits:
                return key
            if key != SILENCE and self._on_dropped is not None:
                self._on_dropped(key)

    async def wait(self, *, seconds: float | None) -> str | None:
        try:
            return await asyncio.wait_for(self._queue.get(), seconds)
        except TimeoutError:
            return None

    def hangup_pending(self) -> bool:
        return self._hung_up
