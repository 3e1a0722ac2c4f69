"""The timed fake Asterisk keeps Asterisk's timing rules (measured on the sandbox by
bench.callers.asterisk_probe): checked command by command on the virtual clock, no socket,
then once over TCP against a small FastAGI peer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from tests.fakes.timed_asterisk import (
    Act,
    CallerHangsUp,
    KeyPress,
    LostKey,
    TimedAsteriskSimulator,
    TimedFakeAsterisk,
)

DURATIONS = {"en/ivr/menu": 4.0, "en/ivr/short": 1.0, "en/ivr/other": 2.0}


@dataclass
class ScriptedListener:
    """Acts at fixed virtual times; records what it was told."""

    acts: list[Act]
    told: list[tuple[str, str, float]] = field(default_factory=list)
    ended: tuple[float, bool] | None = None

    def prompt_started(self, file_name: str, at: float, duration_s: float) -> None:
        self.told.append(("start", file_name, at))

    def prompt_stopped(self, file_name: str, at: float, completed: bool) -> None:
        self.told.append(("end" if completed else "stopped", file_name, at))

    def next_act(self, until: float) -> Act | None:
        if self.acts and self.acts[0].at <= until:
            return self.acts.pop(0)
        return None

    def session_ended(self, at: float, hung_up_by_asterisk: bool) -> None:
        self.ended = (at, hung_up_by_asterisk)


def simulator(*acts: Act) -> tuple[TimedAsteriskSimulator, ScriptedListener]:
    listener = ScriptedListener(list(acts))
    return TimedAsteriskSimulator(listener=listener, durations=DURATIONS), listener


def keys(text: str, start: float, step: float) -> list[Act]:
    return [KeyPress(key, round(start + step * index, 6)) for index, key in enumerate(text)]


def test_stream_file_plays_its_duration_and_stops_on_an_escape_digit() -> None:
    fake, listener = simulator(KeyPress("2", 1.5), KeyPress("1", 2.5))
    assert fake.handle('STREAM FILE en/ivr/menu "13"') == ["200 result=49 endpos=20000"]
    assert fake.now == 2.5
    assert fake.transcript.lost_keys == [LostKey("2", 1.5, "not-escape")]
    assert listener.told == [("start", "en/ivr/menu", 0.0), ("stopped", "en/ivr/menu", 2.5)]
    assert fake.handle('STREAM FILE en/ivr/short ""') == ["200 result=0 endpos=8000"]
    assert fake.now == 3.5


def test_a_key_in_the_gap_between_two_commands_is_lost() -> None:
    fake, _ = simulator(KeyPress("5", 1.02), KeyPress("6", 1.2))
    assert fake.handle('STREAM FILE en/ivr/short ""') == ["200 result=0 endpos=8000"]
    # the server took 50 ms (real time) to send the next command: the key at 1.02 s is gone
    assert fake.handle("WAIT FOR DIGIT 3000", gap_s=0.05) == ["200 result=54"]
    assert fake.transcript.lost_keys == [LostKey("5", 1.02, "between-commands")]
    assert fake.now == pytest.approx(1.2)


def test_get_data_without_timeout_waits_6_s_then_2_s_whatever_timeout_variables_say() -> None:
    fake, _ = simulator(KeyPress("4", 1.0 + 5.9), KeyPress("2", 6.9 + 1.9))
    assert fake.handle("SET VARIABLE TIMEOUT(response) 3") == ["200 result=1"]
    assert fake.handle("SET VARIABLE TIMEOUT(digit) 1") == ["200 result=1"]
    assert fake.handle("GET DATA en/ivr/short") == ["200 result=42 (timeout)"]
    assert fake.now == pytest.approx(8.8 + 2.0)
    silent, _ = simulator()
    assert silent.handle("GET DATA en/ivr/short 0 20") == ["200 result= (timeout)"]
    assert silent.now == pytest.approx(1.0 + 6.0)


def test_get_data_with_a_timeout_uses_it_before_and_between_keys() -> None:
    fake, _ = simulator(*keys("12", 1.0 + 2.9, 2.9))
    assert fake.handle("GET DATA en/ivr/short 3000 20") == ["200 result=12 (timeout)"]
    assert fake.now == pytest.approx(6.8 + 3.0)


def test_get_data_keys_during_its_prompt_hash_and_maximum() -> None:
    fake, listener = simulator(*keys("12345678#", 0.2, 0.12))
    assert fake.handle("GET DATA en/ivr/menu 3000 20") == ["200 result=12345678"]
    assert listener.told[-1] == ("stopped", "en/ivr/menu", 0.2)
    fake, _ = simulator(*keys("123", 0.5, 0.2))
    assert fake.handle("GET DATA en/ivr/short 3000 2") == ["200 result=12"]
    fake, _ = simulator(KeyPress("#", 0.5))
    assert fake.handle("GET DATA en/ivr/short 3000 2") == ["200 result="]


def test_wait_for_digit_times_out_with_zero() -> None:
    fake, _ = simulator(KeyPress("9", 3.5))
    assert fake.handle("WAIT FOR DIGIT 3000") == ["200 result=0"]
    assert fake.now == 3.0
    assert fake.handle("WAIT FOR DIGIT 3000") == ["200 result=57"]


def test_read_takes_the_timeouts_of_the_channel_and_a_key_during_any_prompt() -> None:
    fake, _ = simulator(KeyPress("7", 1.0 + 2.9))
    fake.handle("SET VARIABLE TIMEOUT(response) 3")
    fake.handle("SET VARIABLE TIMEOUT(digit) 1")
    assert fake.handle('EXEC Read "PIN,en/ivr/short,20"') == ["200 result=0"]
    assert fake.now == pytest.approx(3.9 + 1.0)
    assert fake.transcript.variables["PIN"] == "7"
    assert fake.transcript.variables["READSTATUS"] == "TIMEOUT"
    fake, _ = simulator()
    fake.handle('EXEC Read "PIN,en/ivr/short,20"')
    assert fake.now == pytest.approx(1.0 + 10.0)  # the channel's default TIMEOUT(response)
    fake, _ = simulator(KeyPress("3", 0.5))
    fake.handle('EXEC Read "PIN,en/ivr/menu&en/ivr/short,1"')
    assert (fake.transcript.variables["PIN"], fake.now) == ("3", 0.5)
    assert fake.transcript.variables["READSTATUS"] == "OK"
    fake, listener = simulator()
    fake.handle('EXEC Read "PIN,en/ivr/menu&en/ivr/short,1,,,2"')
    assert [told[1] for told in listener.told if told[0] == "start"] == [
        "en/ivr/menu", "en/ivr/short"]
    assert fake.now == pytest.approx(4.0 + 0.05 + 1.0 + 2.0)


def test_timeout_variables_read_back_like_asterisk() -> None:
    fake, _ = simulator()
    assert fake.handle("GET VARIABLE TIMEOUT(response)") == ["200 result=1 (10.000)"]
    fake.handle("SET VARIABLE TIMEOUT(digit) 1")
    assert fake.handle("GET VARIABLE TIMEOUT(digit)") == ["200 result=1 (1.000)"]


def test_hang_up_during_a_prompt_and_in_a_gap() -> None:
    fake, _ = simulator(CallerHangsUp(0.7))
    assert fake.handle('STREAM FILE en/ivr/short "1"') == [
        "200 result=-1 endpos=5600", "HANGUP"]
    assert fake.handle('STREAM FILE en/ivr/short "1"')[0].startswith("511 ")
    fake, _ = simulator(CallerHangsUp(1.01))
    fake.handle('STREAM FILE en/ivr/short ""')
    replies = fake.handle('STREAM FILE en/ivr/other ""', gap_s=0.1)
    assert replies[0] == "HANGUP" and replies[1].startswith("511 ")
    assert fake.transcript.caller_hung_up


def test_a_missing_file_fails_on_a_live_channel_and_plays_nothing() -> None:
    fake, listener = simulator(KeyPress("1", 0.1))
    assert fake.handle('STREAM FILE en/ivr/absent "1"') == ["200 result=-1 endpos=0"]
    assert listener.told == []


def test_keys_after_the_session_ended_are_not_heard_by_anyone() -> None:
    fake, listener = simulator(KeyPress("1", 1.5))
    fake.handle('STREAM FILE en/ivr/short ""')
    fake.end_session(gap_s=0.01)
    assert listener.ended == (pytest.approx(1.01), False)
    assert fake.transcript.lost_keys == []  # the key at 1.5 s comes after the AGI session


async def test_over_tcp_the_gap_is_the_servers_real_time() -> None:
    """A FastAGI peer that sleeps 0.3 s between two commands: a key 0.2 s after the first
    reply is lost, one 0.5 s after it is taken."""

    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()).strip():
            pass
        for line, pause in ((b'STREAM FILE en/ivr/short ""\n', 0.3),
                            (b"WAIT FOR DIGIT 2000\n", 0.0)):
            writer.write(line)
            await writer.drain()
            replies.append((await reader.readline()).decode().strip())
            await asyncio.sleep(pause)
        writer.close()

    replies: list[str] = []
    server = await asyncio.start_server(peer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    listener = ScriptedListener([KeyPress("1", 1.2), KeyPress("2", 1.5)])
    async with server:
        transcript = await TimedFakeAsterisk(port=port, listener=listener,
                                             durations=DURATIONS).run()
    assert replies == ["200 result=0 endpos=8000", "200 result=50"]
    assert transcript.lost_keys == [LostKey("1", 1.2, "between-commands")]
    assert 0.3 <= transcript.gaps_s[1] < 0.45
    assert listener.ended is not None and listener.ended[1] is False


async def test_an_extra_gap_stands_for_a_network_round_trip() -> None:
    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()).strip():
            pass
        for line in (b'STREAM FILE en/ivr/short ""\n', b"WAIT FOR DIGIT 2000\n"):
            writer.write(line)
            await writer.drain()
            await reader.readline()
        writer.close()

    server = await asyncio.start_server(peer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    listener = ScriptedListener([KeyPress("1", 1.03)])  # the prompt plays 0.02-1.02 s
    async with server:
        transcript = await TimedFakeAsterisk(port=port, listener=listener, durations=DURATIONS,
                                             extra_gap_s=0.02).run()
    assert transcript.lost_keys == [LostKey("1", 1.03, "between-commands")]
