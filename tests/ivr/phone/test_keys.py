"""Key sources: a script keys ahead and waits for a prompt that takes the key; a person's keys
end a prompt when they are escape digits and are dropped otherwise."""

from __future__ import annotations

import asyncio

import pytest

from ivr.phone.keys import HANGUP, SILENCE, QueuedKeys, ScriptedKeys, parse_script


def test_parse_script() -> None:
    assert parse_script("2 1 12# . !") == ["2", "1", "1", "2", "#", SILENCE, HANGUP]
    with pytest.raises(ValueError, match="'x'"):
        parse_script("1x")


async def test_a_scripted_key_waits_for_a_prompt_that_takes_it() -> None:
    keys = ScriptedKeys("3 4")
    assert await keys.during_prompt(seconds=5, escape_digits="12") is None
    assert keys.remaining == ["3", "4"]
    assert await keys.during_prompt(seconds=5, escape_digits="123") == "3"
    assert await keys.wait(seconds=5) == "4"
    assert await keys.wait(seconds=5) is None, "a finished script is silence"


async def test_a_scripted_hangup_ends_any_prompt() -> None:
    keys = ScriptedKeys("!")
    assert await keys.during_prompt(seconds=5, escape_digits="") == HANGUP
    assert not keys.hangup_pending()


async def test_a_pressed_escape_digit_ends_the_prompt_and_others_are_dropped() -> None:
    dropped: list[str] = []
    keys = QueuedKeys(on_dropped=dropped.append)
    for key in ("9", SILENCE, "2"):
        keys.press(key)
    assert await keys.during_prompt(seconds=5, escape_digits="12") == "2"
    assert dropped == ["9"]


async def test_a_prompt_plays_out_when_nothing_is_pressed() -> None:
    keys = QueuedKeys()
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await keys.during_prompt(seconds=0.05, escape_digits="12") is None
    assert loop.time() - started >= 0.04


async def test_a_key_pressed_while_the_prompt_plays_interrupts_it() -> None:
    keys = QueuedKeys()
    asyncio.get_running_loop().call_later(0.02, keys.press, "1")
    assert await keys.during_prompt(seconds=5, escape_digits="1") == "1"


async def test_waiting_returns_silence_timeout_and_hangup() -> None:
    keys = QueuedKeys()
    assert await keys.wait(seconds=0.01) is None
    keys.press(SILENCE)
    assert await keys.wait(seconds=1) == SILENCE
    assert not keys.hangup_pending()
    keys.press(HANGUP)
    assert keys.hangup_pending()
    assert await keys.wait(seconds=None) == HANGUP
    with pytest.raises(ValueError):
        keys.press("a")
