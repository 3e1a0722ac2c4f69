"""A fake Asterisk on a virtual clock, with the timing rules of the real one, for callers who
react to what they hear.

``TimedFakeAsterisk(port=…, listener=…, durations=…).run()`` connects to a FastAGI server as
Asterisk does and answers its commands like ``AsteriskSimulator`` (same parsing, variables,
dead-channel rules), but the caller is a **listener**: it is told when each prompt starts and
stops, and it answers with keys and a hang-up at times of its own choosing. The model:

- **Virtual time** (seconds from the answer) runs per call. A prompt lasts its duration in
  ``durations`` (``build/sounds/manifest.json``: file name ``L/ivr/<id>`` → seconds); a wait
  lasts until its timeout or the key that ends it. Playing and waiting take no real time, so a
  call of two minutes runs in a fraction of a second.
- **The gap between two commands is real time**: from writing a reply to reading the next
  command (the FastAGI server thinking, calling the slot service, and the network) the virtual
  clock advances by the measured wall-clock seconds, plus ``extra_gap_s`` to stand for a
  network round trip between Asterisk and a FastAGI server on another host (loopback here).
  That is when keys get lost.
- **Keys are instants**: a key is taken when Asterisk receives the end of its tone (``at``).
- ``STREAM FILE f "<escapes>"``: plays; the first key among the escape digits stops it and is
  the result (``endpos`` counts 8 kHz samples played). Any other key is discarded (lost).
- ``GET DATA f [timeout] [max]``: plays ``f``; any key stops it and counts. Then waits for
  keys: ``#`` ends (not returned), ``max`` ends, silence ends with ``(timeout)``. Without a
  timeout argument, or with ``0``: **6 s for the first key, 2 s between keys** whatever
  ``TIMEOUT(response)``/``TIMEOUT(digit)`` say; a timeout ``T > 0`` is used for both; ``-1``
  waits for ever. (Measured on the sandbox's Asterisk 22.10, ``bench.callers.asterisk_probe``.)
- ``WAIT FOR DIGIT ms``: one key or ``0`` after ``ms`` (``-1``: for ever).
- ``EXEC Read(var,f1&f2…,max,options,attempts,timeout)``: plays the files, a key during any of
  them counts; after the last one the first key is awaited ``TIMEOUT(response)`` (channel
  default 10 s) and each next one ``TIMEOUT(digit)`` (default 5 s); after a file that is not
  the last, 50 ms; a ``timeout`` argument (seconds) replaces both. Sets ``var`` and
  ``READSTATUS`` (``OK`` on ``#`` or ``max``, ``TIMEOUT`` on silence even with digits).
- **A key that arrives while no AGI command runs is lost**, as is a key during a command that
  reads no keys (SET/GET VARIABLE…, which take no virtual time), a key that is not an escape
  digit of the ``STREAM FILE`` playing, and every key after the AGI session ended. Each lost key
  is recorded with its reason (``LostKey``).
- A hang-up during a command ends it with ``result=-1`` and a ``HANGUP`` line; a hang-up in a
  gap is noticed before the next reply (``HANGUP``, then 511 for what a dead channel refuses).

Written by hand: no library simulates Asterisk's DTMF timing; ``AsteriskSimulator`` (same
package) already speaks the protocol, this subclass adds the clock.

Errors: none of its own; a listener's exceptions propagate out of ``run``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from tests.fakes.fake_asterisk import AsteriskSimulator, FakeAsterisk, Transcript

GET_DATA_FIRST_S = 6.0
GET_DATA_BETWEEN_S = 2.0
READ_DEFAULT_RESPONSE_S = 10.0
READ_DEFAULT_DIGIT_S = 5.0
READ_BETWEEN_PROMPTS_S = 0.05
SAMPLES_PER_S = 8000
ANY_KEY = "0123456789*#"
# a wait "for ever" ends when the listener gives up; one that never acts hangs up after this
FOREVER_S = 600.0


@dataclass(frozen=True)
class KeyPress:
    key: str
    at: float


@dataclass(frozen=True)
class CallerHangsUp:
    at: float


Act = KeyPress | CallerHangsUp


class Listener(Protocol):
    """The caller, as the fake Asterisk sees it. Times are virtual seconds from the answer."""

    def prompt_started(self, file_name: str, at: float, duration_s: float) -> None:
        """A prompt starts playing (it lasts ``duration_s`` unless a key stops it)."""

    def prompt_stopped(self, file_name: str, at: float, completed: bool) -> None:
        """The prompt ended (``completed``) or a key stopped it."""

    def next_act(self, until: float) -> Act | None:
        """The caller's next key or hang-up due at or before ``until``, or None; the caller has
        then lived through every moment up to ``until`` (its own timers included)."""

    def session_ended(self, at: float, hung_up_by_asterisk: bool) -> None:
        """The AGI session is over (the dialplan goes on, or Asterisk hung up)."""


@dataclass(frozen=True)
class Heard:
    file_name: str
    started: float
    stopped: float
    completed: bool


@dataclass(frozen=True)
class LostKey:
    key: str
    at: float
    reason: str  # between-commands | not-escape | after-session


@dataclass(frozen=True)
class TakenKey:
    key: str
    at: float
    command: str


@dataclass
class TimedTranscript(Transcript):
    heard: list[Heard] = field(default_factory=list)
    taken_keys: list[TakenKey] = field(default_factory=list)
    lost_keys: list[LostKey] = field(default_factory=list)
    gaps_s: list[float] = field(default_factory=list)
    ended_at: float = 0.0


class TimedAsteriskSimulator(AsteriskSimulator):
    """Asterisk's side of AGI on a virtual clock; ``handle(line, gap_s)`` per command."""

    def __init__(
        self,
        *,
        listener: Listener,
        durations: Mapping[str, float],
        language: str = "cs",
    ) -> None:
        super().__init__(caller=(), sound_files=durations.keys(), language=language)
        self.transcript: TimedTranscript = TimedTranscript(
            variables={"CHANNEL(language)": language}
        )
        self._listener = listener
        self._durations = durations
        self.now = 0.0
        self._command = ""

    # -- the clock and the caller's acts --------------------------------------------------------

    def _act(self, until: float) -> Act | None:
        return None if self.dead else self._listener.next_act(until)

    def _idle(self, until: float, reason: str) -> None:
        """Live through ``now``..``until`` with nothing collecting keys."""
        while (act := self._act(until)) is not None:
            if isinstance(act, CallerHangsUp):
                self.now = max(self.now, act.at)
                self._caller_hangs_up()
                return
            self.transcript.lost_keys.append(LostKey(act.key, act.at, reason))
        self.now = max(self.now, until)

    def handle(self, line: str, gap_s: float = 0.0) -> list[str]:  # type: ignore[override]
        """One command, arriving ``gap_s`` real seconds after the previous reply."""
        self.transcript.gaps_s.append(gap_s)
        self._idle(self.now + gap_s, "between-commands")
        self._command = line
        in_gap = self.take_hangup_notice()  # the caller hung up in the gap: noticed first
        replies = super().handle(line)
        during = self.take_hangup_notice()  # during the command (or the AGI's HANGUP): after
        return ["HANGUP"] * in_gap + replies + ["HANGUP"] * during

    def end_session(self, gap_s: float) -> None:
        """The server closed the connection ``gap_s`` after the last reply."""
        self._idle(self.now + gap_s, "between-commands")
        self.transcript.ended_at = self.now
        hung_up_by_asterisk = self.transcript.agi_hung_up
        if not self.dead:
            self.dead = True
        self._listener.session_ended(self.now, hung_up_by_asterisk)

    def start(self) -> None:
        """Nothing happens before the first command (the caller listens)."""

    # -- playing and waiting --------------------------------------------------------------------

    def _play(self, name: str, stop_keys: str) -> tuple[KeyPress | None, bool]:
        """Play ``name``; (the key among ``stop_keys`` that stopped it, hung up)."""
        duration = self._durations[name]
        started = self.now
        self._listener.prompt_started(name, started, duration)
        end = started + duration
        while (act := self._act(end)) is not None:
            self.now = max(self.now, act.at)
            if isinstance(act, CallerHangsUp):
                self._stopped(name, started, completed=False)
                self._caller_hangs_up()
                return None, True
            if act.key in stop_keys:
                self._stopped(name, started, completed=False)
                self.transcript.taken_keys.append(TakenKey(act.key, act.at, self._command))
                return act, False
            self.transcript.lost_keys.append(LostKey(act.key, act.at, "not-escape"))
        self.now = end
        self._stopped(name, started, completed=True)
        return None, False

    def _stopped(self, name: str, started: float, *, completed: bool) -> None:
        self.transcript.heard.append(Heard(name, started, self.now, completed))
        self.transcript.played.append(name)
        self._listener.prompt_stopped(name, self.now, completed)

    def _wait_key(self, wait_s: float) -> tuple[KeyPress | None, bool]:
        """Wait up to ``wait_s`` for any key; (the key, hung up)."""
        forever = math.isinf(wait_s)
        deadline = self.now + (FOREVER_S if forever else wait_s)
        act = self._act(deadline)
        if act is None:
            self.now = deadline
            if forever:
                self._caller_hangs_up()
                return None, True
            return None, False
        self.now = max(self.now, act.at)
        if isinstance(act, CallerHangsUp):
            self._caller_hangs_up()
            return None, True
        self.transcript.taken_keys.append(TakenKey(act.key, act.at, self._command))
        return act, False

    def _read_string(
        self, files: list[str], max_digits: int, first_s: float, between_s: float
    ) -> tuple[str, str]:
        """Asterisk's ast_readstring over one or more prompts: (digits, how it ended:
        complete | timeout | hangup). A key during any prompt counts; after a prompt that is
        not the last, ``READ_BETWEEN_PROMPTS_S`` for the first key."""
        digits = ""
        for index, name in enumerate(files):
            last = index == len(files) - 1
            key, hung_up = self._play(name, ANY_KEY)
            if hung_up:
                return digits, "hangup"
            wait = first_s if last else READ_BETWEEN_PROMPTS_S
            while True:
                if key is None:
                    key, hung_up = self._wait_key(wait)
                    if hung_up:
                        return digits, "hangup"
                    if key is None:
                        if last or digits:
                            return digits, "timeout"
                        break  # on to the next prompt
                if key.key == "#":
                    return digits, "complete"
                digits += key.key
                if len(digits) >= max_digits:
                    return digits, "complete"
                key, wait = None, between_s
        return digits, "timeout"

    # -- the commands ---------------------------------------------------------------------------

    def _stream_file(self, args: list[str]) -> list[str]:
        name, escape_digits = args[0], args[1]
        if not self._file_exists(name):
            return ["200 result=-1 endpos=0"]
        started = self.now
        key, hung_up = self._play(name, escape_digits)
        endpos = round((self.now - started) * SAMPLES_PER_S)
        if hung_up:
            return [f"200 result=-1 endpos={endpos}"]
        return [f"200 result={ord(key.key) if key else 0} endpos={endpos}"]

    def _get_data(self, args: list[str]) -> list[str]:
        name = args[0]
        timeout_ms = int(args[1]) if len(args) > 1 else 0
        max_digits = int(args[2]) if len(args) > 2 else 1024
        if not self._file_exists(name):
            return ["200 result=-1"]
        if timeout_ms > 0:
            first_s = between_s = timeout_ms / 1000
        elif timeout_ms < 0:
            first_s = between_s = math.inf
        else:
            first_s, between_s = GET_DATA_FIRST_S, GET_DATA_BETWEEN_S
        digits, ended = self._read_string([name], max_digits, first_s, between_s)
        if ended == "hangup":
            return ["200 result=-1"]
        return [f"200 result={digits}" + (" (timeout)" if ended == "timeout" else "")]

    def _wait_for_digit(self, args: list[str]) -> list[str]:
        timeout_ms = int(args[0])
        key, hung_up = self._wait_key(math.inf if timeout_ms < 0 else timeout_ms / 1000)
        if hung_up:
            return ["200 result=-1"]
        return [f"200 result={ord(key.key) if key else 0}"]

    def _exec(self, args: list[str]) -> list[str]:
        application, data = args[0], args[1] if len(args) > 1 else ""
        self.transcript.executed.append((application, data))
        if application.lower() == "read":
            return self._exec_read(data)
        return ["200 result=0"]

    def _exec_read(self, data: str) -> list[str]:
        fields = [*data.split(","), "", "", "", "", "", ""]
        variable, files_arg, max_arg, _options, attempts_arg, timeout_arg = fields[:6]
        files = [name for name in files_arg.split("&") if name]
        missing = [name for name in files if not self._file_exists(name)]
        files = [name for name in files if name not in missing]  # Read skips what won't play
        max_digits = int(max_arg) if max_arg and 1 <= int(max_arg) <= 255 else 255
        attempts = max(int(attempts_arg), 1) if attempts_arg else 1
        timeout_s = float(timeout_arg) if timeout_arg and float(timeout_arg) > 0 else 0.0
        first_s = timeout_s or self._seconds_variable("TIMEOUT(response)", READ_DEFAULT_RESPONSE_S)
        between_s = timeout_s or self._seconds_variable("TIMEOUT(digit)", READ_DEFAULT_DIGIT_S)
        status, digits = "ERROR", ""
        for _ in range(attempts):
            digits, ended = self._read_string(files, max_digits, first_s, between_s)
            if ended == "hangup":
                self.transcript.variables[variable] = digits
                self.transcript.variables["READSTATUS"] = "HANGUP"
                return ["200 result=-1"]
            status = "OK" if ended == "complete" else "TIMEOUT"
            if digits:
                break
        self.transcript.variables[variable] = digits
        self.transcript.variables["READSTATUS"] = status
        return ["200 result=0"]

    def _seconds_variable(self, name: str, default: float) -> float:
        value = self.transcript.variables.get(name)
        return float(value) if value else default

    def _set_variable(self, args: list[str]) -> list[str]:
        if args[0] in ("TIMEOUT(response)", "TIMEOUT(digit)"):
            args = [args[0], f"{float(args[1]):.3f}"]  # Asterisk reads them back as 3.000
        return super()._set_variable(args)

    def _get_variable(self, args: list[str]) -> list[str]:
        defaults = {"TIMEOUT(response)": READ_DEFAULT_RESPONSE_S,
                    "TIMEOUT(digit)": READ_DEFAULT_DIGIT_S}
        if args[0] in defaults and args[0] not in self.transcript.variables:
            return [f"200 result=1 ({defaults[args[0]]:.3f})"]
        return super()._get_variable(args)

    _get_full_variable = _get_variable


class TimedFakeAsterisk(FakeAsterisk):
    """Plays one call with a listening caller against a FastAGI server over TCP."""

    def __init__(
        self,
        *,
        port: int,
        listener: Listener,
        durations: Mapping[str, float],
        host: str = "127.0.0.1",
        script: str = "booking",
        language: str = "cs",
        callerid: str = "+420777123456",
        reply_timeout_s: float = 30.0,
        extra_gap_s: float = 0.0,
    ) -> None:
        super().__init__(port=port, host=host, script=script, language=language,
                         callerid=callerid, reply_timeout_s=reply_timeout_s)
        self._extra_gap_s = extra_gap_s
        self.simulator: TimedAsteriskSimulator = TimedAsteriskSimulator(
            listener=listener, durations=durations, language=language
        )

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self._environment())
        await writer.drain()
        replied = time.perf_counter()
        while True:
            line = await asyncio.wait_for(reader.readline(), self._timeout)
            gap = time.perf_counter() - replied + self._extra_gap_s
            if not line:
                self.simulator.end_session(gap)
                return
            replies = self.simulator.handle(line.decode("utf-8", "replace").rstrip("\n"), gap)
            writer.write("".join(f"{reply}\n" for reply in replies).encode())
            replied = time.perf_counter()
            await writer.drain()


__all__ = [
    "Act",
    "CallerHangsUp",
    "Heard",
    "KeyPress",
    "Listener",
    "LostKey",
    "TakenKey",
    "TimedAsteriskSimulator",
    "TimedFakeAsterisk",
    "TimedTranscript",
]
