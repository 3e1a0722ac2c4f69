"""Real SIP calls into the sandbox: SIPp scenarios generated from a caller's key script.

A caller is a string of keys and an ending: the caller hangs up when told, or waits for
Asterisk to hang up. Keys travel as RFC 4733 telephone events in captures written per call
(``write_dtmf_pcap``) that SIPp replays on the call's RTP stream.

A key that arrives while the FastAGI server runs no command is lost (Asterisk discards DTMF
between AGI commands, and during prompts played without escape digits), so each key is paced
to the prompts: the scenario waits before every key for a cue on SIPp's 3PCC twin socket, and
the test sends the cue when AMI shows the flow waiting for this caller's input
(``AGIExecStart`` of ``GET DATA``, ``WAIT FOR DIGIT`` or ``EXEC Read``), exactly when a real
caller, hearing the menu, would press; an ``EXEC Read`` takes the keys that follow too, until
``#`` or its maximum. ``PromptClock`` measures the built prompts for the waits that depend on
how long something plays (e.g. the apology before the queue). The scenario XML is written here
because it is SIPp's only interface.

Errors: ``SippCallFailed`` (SIPp exited non-zero: no answer, an unexpected BYE during a pause,
a timeout); its message carries SIPp's error log.
"""

from __future__ import annotations

import asyncio
import os
import struct
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from tests.e2e.ami import AmiWatcher, Event

KEY_EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}  # RFC 4733 event codes
DTMF_PAYLOAD_TYPE = 101  # telephone-event/8000 in the scenario's SDP
DTMF_SSRC = 0x1D5E2E
DTMF_PACKETS = 7  # 140 ms of tone, then three end-of-event packets
SLN16_BYTES_PER_SECOND = 32000  # 16 kHz, 16-bit mono
KEY_PLAY_MS = 400  # a key's capture lasts 160 ms; SIPp then waits for the next cue
CUE_GAP_S = 0.6  # so a cue never reaches SIPp before it is back in <recvCmd/>
CALL_TIMEOUT_S = 240.0
INPUT_COMMANDS = ("GET DATA", "WAIT FOR DIGIT", "EXEC Read")


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
        unknown = set(self.keys) - set(KEY_EVENTS)
        if unknown:
            raise ValueError(f"not phone keys: {sorted(unknown)}")


def write_dtmf_pcap(path: Path, *, key: str, press_index: int) -> None:
    """One RFC 4733 key press as a capture SIPp replays (``play_pcap_audio``).

    SIPp's own ``dtmf_2833_<key>.pcap`` files carry fixed RTP sequence numbers and timestamps
    (and ``play_dtmf`` restarts its timestamps on every action), so Asterisk drops a repeated
    key, or a key whose capture is older than the last one, as a retransmission. Here press
    ``n`` of a call gets sequence numbers and a timestamp after those of press ``n-1``.
    """
    event = KEY_EVENTS[key]
    seq0 = 1000 + press_index * 20
    timestamp = 16000 + press_index * 16000  # 2 s of RTP clock apart, always increasing
    packets: list[tuple[float, bytes]] = []
    for index in range(DTMF_PACKETS + 3):
        end = index >= DTMF_PACKETS
        duration = 160 * min(index + 1, DTMF_PACKETS)
        rtp = struct.pack(
            "!BBHII", 0x80, (0x80 if index == 0 else 0) | DTMF_PAYLOAD_TYPE,
            seq0 + index, timestamp, DTMF_SSRC,
        ) + struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
        packets.append((min(index, DTMF_PACKETS) * 0.02, rtp))
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # Ethernet
        for offset, rtp in packets:
            udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
            frame = b"\x00" * 12 + b"\x08\x00" + ip
            seconds = 1_700_000_000 + offset
            out.write(struct.pack("<IIII", int(seconds), round((seconds % 1) * 1e6),
                                  len(frame), len(frame)))
            out.write(frame)


def _key_actions(key: str, pcap: Path) -> str:
    return (
        "  <recvCmd/>\n"
        f'  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'
        f'  <pause milliseconds="{KEY_PLAY_MS}"/>'
    )


def scenario_xml(caller: Caller, key_pcaps: list[Path]) -> str:
    """The SIPp UAC scenario for ``caller``, pressing ``key_pcaps`` one per cue."""
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
    keys = "\n".join(_key_actions(key, pcap) for key, pcap in zip(caller.keys, key_pcaps,
                                                                     strict=True))
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
    def process(self) -> asyncio.subprocess.Process:
        return self._process

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
        """Press the next ``count`` keys (default: all left), each as soon as the flow listens
        for it: a prompt played with the key among its escape digits (the caller keys ahead)
        or a wait for input (``GET DATA``, ``WAIT FOR DIGIT``, ``EXEC Read``; a Read goes on
        taking keys until ``#`` or its maximum). Each key is then confirmed by Asterisk's
        ``DTMFEnd`` before the next one is looked for."""
        keys_left = len(self.caller.keys) - self._cues_sent
        read_left = 0  # keys the Read in flight still takes
        for _ in range(keys_left if count is None else count):
            key = self.caller.keys[self._cues_sent]
            if read_left == 0:
                asked = await self._wait(ami, lambda e, key=key: _listens_for(e, key),
                                         timeout_s=timeout_s,
                                         what=f"the flow listening for {key!r}")
                read_left = _read_maximum(str(asked.get("Command", "")))
            await self.cue()
            await self._wait(ami, lambda e, key=key: (e.get("Event") == "DTMFEnd"
                                                      and e.get("Digit") == key),
                             timeout_s=5, what=f"DTMFEnd {key!r}")
            read_left = 0 if key == "#" else max(read_left - 1, 0)

    async def _wait(self, ami: AmiWatcher, matches: Callable[[Event], bool], *,
                    timeout_s: float, what: str) -> Event:
        number = self.caller.number
        position = await ami.wait_for_position(
            lambda e: e.get("CallerIDNum") == number and matches(e),
            timeout_s=timeout_s, what=f"{what} ({number})", start=self._ami_cursor)
        self._ami_cursor = position + 1
        return ami.events[position]

    async def wait_for_agi(self, ami: AmiWatcher, commands: tuple[str, ...], *,
                           timeout_s: float, containing: str = "") -> Event:
        """The next AGI command of this call (after the last event waited for) that starts
        with one of ``commands`` and contains ``containing``."""
        return await self._wait(
            ami,
            lambda e: (e.get("Event") == "AGIExecStart"
                       and str(e.get("Command", "")).startswith(commands)
                       and containing in str(e.get("Command", ""))),
            timeout_s=timeout_s, what=f"AGIExecStart {commands} {containing!r}")

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


def _read_maximum(command: str) -> int:
    """How many keys an ``EXEC Read "var,files,max"`` takes (0 for any other command)."""
    if not command.startswith("EXEC Read"):
        return 0
    fields = command.partition(" Read ")[2].strip().strip('"').split(",")
    return int(fields[2]) if len(fields) > 2 and fields[2].isdigit() else 255


def _listens_for(event: Event, key: str) -> bool:
    """Whether an AMI event starts an AGI command during which ``key`` is taken."""
    if event.get("Event") != "AGIExecStart":
        return False
    command = str(event.get("Command", ""))
    if command.startswith(INPUT_COMMANDS):
        return True
    if command.startswith("STREAM FILE"):
        words = command.split()
        escape_digits = words[3].strip('"') if len(words) > 3 else ""
        return key in escape_digits
    return False


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


async def start_sipp(caller: Caller, *, target: SipEndpoint, workdir: Path) -> SippCall:
    """Start SIPp for one call and connect its cue socket; the caller of this function
    decides how the call must end (``sipp_call`` requires a clean, scripted end)."""
    workdir.mkdir(parents=True, exist_ok=True)
    key_pcaps = [workdir / f"{caller.name}.key{index:02d}.pcap"
                 for index in range(len(caller.keys))]
    for index, (key, pcap) in enumerate(zip(caller.keys, key_pcaps, strict=True)):
        write_dtmf_pcap(pcap, key=key, press_index=index)
    scenario = workdir / f"{caller.name}.xml"
    scenario.write_text(scenario_xml(caller, key_pcaps), encoding="ascii")
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
    return SippCall(caller, process=process, cue_writer=writer, call_id=call_id,
                    logs=(error_log, message_log))


@asynccontextmanager
async def sipp_call(caller: Caller, *, target: SipEndpoint,
                    workdir: Path) -> AsyncIterator[SippCall]:
    """Start SIPp for one call; on leaving, wait for it to end and check that it succeeded."""
    call = await start_sipp(caller, target=target, workdir=workdir)
    try:
        yield call
    except BaseException:
        if call.process.returncode is None:
            call.process.kill()
        await call.process.wait()
        raise
    await call.finished()
