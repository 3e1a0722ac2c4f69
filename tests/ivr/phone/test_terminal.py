"""The keyboard on a real pseudo-terminal: key presses reach the phone without Enter."""

from __future__ import annotations

import asyncio
import os
import termios

import pytest

from ivr.phone.errors import NotATerminal
from ivr.phone.keys import HANGUP, SILENCE, QueuedKeys
from ivr.phone.terminal import key_for_character, keyboard


def test_key_for_character() -> None:
    assert [key_for_character(c) for c in "05*#"] == ["0", "5", "*", "#"]
    assert key_for_character("\n") == SILENCE
    assert key_for_character("\r") == SILENCE
    assert key_for_character("q") == HANGUP
    assert key_for_character("\x03") == HANGUP
    assert key_for_character("a") is None


async def test_keys_typed_on_a_terminal_arrive_one_by_one() -> None:
    controller, terminal = os.openpty()
    try:
        saved = termios.tcgetattr(terminal)
        keys = QueuedKeys()
        with keyboard(keys, fd=terminal):
            mode = termios.tcgetattr(terminal)
            assert not mode[3] & termios.ICANON
            assert not mode[3] & termios.ISIG
            os.write(controller, b"2x\n\x03")
            received = [await asyncio.wait_for(keys.wait(seconds=None), 2) for _ in range(3)]
        assert received == ["2", SILENCE, HANGUP]
        assert termios.tcgetattr(terminal) == saved, "the terminal mode is restored"
    finally:
        os.close(controller)
        os.close(terminal)


async def test_a_pipe_is_not_a_terminal() -> None:
    read_end, write_end = os.pipe()
    try:
        with pytest.raises(NotATerminal), keyboard(QueuedKeys(), fd=read_end):
            pass
    finally:
        os.close(read_end)
        os.close(write_end)
