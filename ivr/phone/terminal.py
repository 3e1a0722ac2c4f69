"""The keyboard of the terminal phone: one key press at a time, without waiting for Enter.

The terminal is switched to non-canonical mode without echo and without signals, so that
Ctrl-C hangs up the call like ``q`` instead of killing the process mid-call; the previous mode
is restored whatever happens. Key presses are read by the event loop (``add_reader``) and fed
to a :class:`~ivr.phone.keys.QueuedKeys`. Written with termios because curses/prompt_toolkit
would take over the whole screen, while the phone prints a scrolling transcript with rich.

Errors (tree in :mod:`ivr.phone.errors`): :class:`NotATerminal` when standard input is not a
terminal (use ``--script`` then).
"""

from __future__ import annotations

import asyncio
import os
import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager

from ivr.phone.errors import NotATerminal
from ivr.phone.keys import DTMF_KEYS, HANGUP, SILENCE, QueuedKeys

HANGUP_CHARACTERS = frozenset({"q", "Q", "\x03", "\x04"})  # q, Ctrl-C, Ctrl-D
SILENCE_CHARACTERS = frozenset({"\r", "\n"})


def key_for_character(character: str) -> str | None:
    """The phone key a typed character stands for, or None for any other character."""
    if character in DTMF_KEYS:
        return character
    if character in SILENCE_CHARACTERS:
        return SILENCE
    if character in HANGUP_CHARACTERS:
        return HANGUP
    return None


@contextmanager
def keyboard(keys: QueuedKeys, *, fd: int | None = None) -> Iterator[None]:
    """Feed key presses on the terminal `fd` (standard input) to `keys` while inside."""
    fd = sys.stdin.fileno() if fd is None else fd
    if not os.isatty(fd):
        raise NotATerminal("the interactive phone needs a terminal; use --script for a script")
    saved = termios.tcgetattr(fd)
    mode = termios.tcgetattr(fd)
    mode[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG)
    mode[6][termios.VMIN] = 1
    mode[6][termios.VTIME] = 0
    loop = asyncio.get_running_loop()

    def on_input() -> None:
        for character in os.read(fd, 64).decode("utf-8", errors="replace"):
            key = key_for_character(character)
            if key is not None:
                keys.press(key)

    termios.tcsetattr(fd, termios.TCSANOW, mode)
    loop.add_reader(fd, on_input)
    try:
        yield
    finally:
        loop.remove_reader(fd)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
