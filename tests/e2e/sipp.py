"""Real SIP calls into the sandbox: SIPp scenarios generated from a caller's key script.

A caller is a string of keys and an ending: the caller hangs up when told, or waits for
Asterisk to hang up. Keys travel as RFC 4733 telephone events replayed from SIPp's own captures
(``dtmf_2833_<key>.pcap``). A key that arrives while the FastAGI server runs no command is lost
(Asterisk discards DTMF between AGI commands, and during prompts played without escape digits),
so each key is paced to the prompts: the scenario waits before every key for a cue on SIPp's
3PCC twin socket, and the test sends the cue when AMI shows the flow waiting for input from
this caller (``AGIExecStart`` of ``GET DATA`` or ``WAIT FOR DIGIT``) -- exactly when a real
caller, hearing the menu, would press. ``PromptClock`` measures the built prompts for the
waits that depend on how long something plays (e.g. the apology before the queue). The
scenario XML is written here because it is SIPp's only interface.

Errors: ``SippCallFailed`` (SIPp exited non-zero: no answer, an unexpected BYE during a pause,
a timeout); its message carries SIPp's error log.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from tests.e2e.ami import AmiWatcher, Event

PCAP_DIR = Path("/usr/share/sip-tester")
PCAP_NAMES = {**{str(d): str(d) for d in range(10)}, "*": "star", "#": "pound"}
SLN16_BYTES_PER_SECOND = 32000  # 16 kHz, 16-bit mono
KEY_PLAY_MS = 400  # a key's capture lasts about 250 ms; SIPp then waits for the next cue
CUE_GAP_S = 0.6  # so a cue never reaches SIPp before it is back in <recvCmd/>
CALL_TIMEOUT_S = 240.0
INPUT_COMMANDS = ("GET DATA", "WAIT FOR DIGIT")


class SippCallFailed(RuntimeError):
    """SIPp did not complete the call as scripted."""


@dataclass(frozen=True)
class PromptClock:
    """How long prompts play, measured on the built files (build/sounds/<lang>/ivr/<id>.sln16)."""

    sounds_dir: Path

    def seconds(self, language: str, *prompt_ids: str) -> float:
        total = 0.0
        for prompt_id in prompt_ids:
            path = self.sounds_dir / language / "ivr" / f"{prompt_id}.sln16"
            total += path.stat().st_size / SLN16_BYTES_PER_SECOND
        return total


@dataclass(frozen=True)
class Caller:
    """One call: who calls which number, the keys pressed (one per cue), how the call ends.

    ``hang_up_on_cue``: the caller hangs up on one more cue after the last key (the test
    decides when). Otherwise the caller waits up to ``await_hangup_s`` for Asterisk to hang up.
    """

    number: str
    name: str
    keys: str = ""
    dialled: str = "974820680"
    hang_up_on_cue: bool = False
    await_hangup_s: float = 120.0

    def __post_init__(self) -> None:
        unknown = set(self.keys) - set(PCAP_NAMES)
        if unknown:
            raise ValueError(f"not phone keys: {sorted(unknown)}")


def _key_actions(key: str) -> str:
    pcap = PCAP_DIR / f"dtmf_2833_{PCAP_NAMES[key]}.pcap"
    return (
        "  <recvCmd/>\n"
        f'  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'
        f'  <pause milliseconds="{KEY_PLAY_MS}"/>'
    )


def scenario_xml(caller: Caller) -> str:
    """The SIPp UAC scenario for ``caller``."""
    number = escape(caller.number)
    invite = f"""\
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "{number}" <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{number}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:{number}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>"""
    keys = "\n".join(_key_actions(key) for key in caller.keys)
    if caller.hang_up_on_cue:
        ending = f"""\
  <recvCmd/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:{number}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>"""
    else:
        ending = f"""\
  <recv request="BYE" timeout="{round(caller.await_hangup_s * 1000)}"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:{number}@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>"""
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
        f'<scenario name="{escape(caller.name)}">\n{invite}\n{keys}\n{ending}\n</scenario>\n'
    )


@dataclass(frozen=True)
class SipEndpoint:
    """Where the sandbox listens for SIP, and the local ports SIPp may use."""

    host: str
    port: int
    local_port: int
    media_port: int
    cue_port: int


class SippCall:
    """A running SIPp call, cued over SIPp's 3PCC twin socket (the test is "controller A").

    Each ``<recvCmd/>`` in the scenario waits for one cue; the test sends it when the flow is
    listening (``press_when_asked``). A cue must reach SIPp while it waits in ``recvCmd``
    (SIPp rejects the call otherwise), hence the minimum gap after a key's playback.
    """

    def __init__(self, caller: Caller, *, process: asyncio.subprocess.Process,
                 cue_writer: asyncio.StreamWriter | None, call_id: str,
                 logs: tuple[Path, Path]) -> None:
        self.caller = caller
        self._process = process
        self._cue_writer = cue_writer
        self._call_id = call_id
        self._logs = logs
        self._cues_sent = 0
        self._last_cue = 0.0
        self._ami_cursor = 0

    @property
    def cues_left(self) -> int:
        return len(self.caller.keys) + int(self.caller.hang_up_on_cue) - self._cues_sent

    async def cue(self) -> None:
        """Let the scenario go on: press the next key, or hang up after the last one."""
        if self.cues_left <= 0 or self._cue_writer is None:
            raise RuntimeError(f"{self.caller.name}: no cue left in the scenario")
        loop = asyncio.get_running_loop()
        wait = self._last_cue + CUE_GAP_S - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        # a twin command: headers naming the call, ended by ESC (SIPp's control framing)
        self._cue_writer.write(f"Call-ID: {self._call_id}\r\n\x1b".encode("ascii"))
        await self._cue_writer.drain()
        self._cues_sent += 1
        self._last_cue = loop.time()

    async def press_when_asked(self, ami: AmiWatcher, count: int | None = None,
                               timeout_s: float = 60.0) -> None:
        """Press the next ``count`` keys (default: all left), each when the flow next waits
        for input from this caller (AMI ``AGIExecStart`` of ``GET DATA``/``WAIT FOR DIGIT``)."""
        keys_left = len(self.caller.keys) - self._cues_sent
        for _ in range(keys_left if count is None else count):
            await self.wait_for_agi(ami, INPUT_COMMANDS, timeout_s=timeout_s)
            await self.cue()

    async def wait_for_agi(self, ami: AmiWatcher, commands: tuple[str, ...], *,
                           timeout_s: float, containing: str = "") -> Event:
        """The next AGI command of this call (after the last one waited for) that starts with
        one of ``commands`` and contains ``containing``."""
        number = self.caller.number
        matched = await ami.wait_for(
            lambda e: (e.get("Event") == "AGIExecStart" and e.get("CallerIDNum") == number
                       and str(e.get("Command", "")).startswith(commands)
                       and containing in str(e.get("Command", ""))),
            timeout_s=timeout_s, what=f"AGIExecStart {commands} {containing!r} of {number}",
            start=self._ami_cursor)
        self._ami_cursor = ami.events.index(matched) + 1
        return matched

    async def finished(self, timeout_s: float = 120.0) -> None:
        """Wait for SIPp to end; raise ``SippCallFailed`` unless the call went as scripted."""
        try:
            async with asyncio.timeout(timeout_s):
                _, stderr = await self._process.communicate()
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
            raise SippCallFailed(
                f"{self.caller.name}: SIPp still running after {timeout_s} s") from None
        finally:
            if self._cue_writer is not None:
                self._cue_writer.close()
        if self._process.returncode != 0:
            error_log, message_log = self._logs
            errors = error_log.read_text(errors="replace")[-3000:] if error_log.exists() else ""
            raise SippCallFailed(
                f"SIPp call {self.caller.name!r} failed (exit {self._process.returncode}): "
                f"{stderr.decode(errors='replace')[-1000:]}\n{errors}\n(messages: {message_log})"
            )


async def _connect_cues(port: int, process: asyncio.subprocess.Process) -> asyncio.StreamWriter:
    async with asyncio.timeout(10):
        while True:
            if process.returncode is not None:
                raise SippCallFailed(f"SIPp exited ({process.returncode}) before its cue socket")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                return writer
            except OSError:
                await asyncio.sleep(0.05)


@asynccontextmanager
async def sipp_call(caller: Caller, *, target: SipEndpoint,
                    workdir: Path) -> AsyncIterator[SippCall]:
    """Start SIPp for one call; on leaving, wait for it to end and check that it succeeded."""
    workdir.mkdir(parents=True, exist_ok=True)
    scenario = workdir / f"{caller.name}.xml"
    scenario.write_text(scenario_xml(caller), encoding="ascii")
    error_log = workdir / f"{caller.name}.errors.log"
    message_log = workdir / f"{caller.name}.messages.log"
    call_id = f"e2e-{caller.name}-{uuid.uuid4().hex[:8]}@{target.host}"
    cued = bool(caller.keys) or caller.hang_up_on_cue
    # SIPp refuses -3pcc for a scenario without <recvCmd/>
    cue_options = ["-3pcc", f"127.0.0.1:{target.cue_port}"] if cued else []
    process = await asyncio.create_subprocess_exec(
        "sipp", f"{target.host}:{target.port}",
        "-sf", str(scenario),
        "-s", caller.dialled,
        "-i", target.host, "-p", str(target.local_port),
        "-mi", target.host, "-mp", str(target.media_port),
        *cue_options,
        "-cid_str", call_id,
        "-m", "1", "-nostdin",
        "-timeout", f"{round(CALL_TIMEOUT_S)}s", "-timeout_error",
        "-trace_err", "-error_file", str(error_log),
        "-trace_msg", "-message_file", str(message_log),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        cwd=workdir,
        env={**os.environ, "TERM": "dumb"},
    )
    try:
        writer = await _connect_cues(target.cue_port, process) if cued else None
    except BaseException:
        if process.returncode is None:
            process.kill()
        await process.wait()
        raise
    call = SippCall(caller, process=process, cue_writer=writer, call_id=call_id,
                    logs=(error_log, message_log))
    try:
        yield call
    except BaseException:
        if process.returncode is None:
            process.kill()
        await process.wait()
        raise
    await call.finished()
