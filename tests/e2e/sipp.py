"""Real SIP calls into the sandbox: SIPp scenarios generated from a caller's key script.

A caller is a list of key presses, each with the time to wait before it, and an ending: the
caller hangs up after a while, or waits for Asterisk to hang up. Keys travel as RFC 4733
telephone events replayed from SIPp's own captures (``dtmf_2833_<key>.pcap``). A key that
arrives while the FastAGI server runs no command is lost (Asterisk discards DTMF between AGI
commands), so the waits are paced to the prompts: ``PromptClock`` measures the built prompt
files, and a key is pressed when the prompts before it have played, i.e. while the menu waits.
The scenario is written by hand here because SIPp's XML is its only interface.

Errors: ``SippCallFailed`` (SIPp exited non-zero: no answer, an unexpected BYE during a pause,
a timeout); its message carries SIPp's error log.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

PCAP_DIR = Path("/usr/share/sip-tester")
PCAP_NAMES = {**{str(d): str(d) for d in range(10)}, "*": "star", "#": "pound"}
SLN16_BYTES_PER_SECOND = 32000  # 16 kHz, 16-bit mono


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
class Press:
    """Press ``keys`` (one after the other, ``gap_s`` apart) ``after_s`` after the last step."""

    keys: str
    after_s: float
    gap_s: float = 0.4

    def __post_init__(self) -> None:
        unknown = set(self.keys) - set(PCAP_NAMES)
        if unknown or not self.keys:
            raise ValueError(f"not phone keys: {self.keys!r}")


@dataclass(frozen=True)
class Caller:
    """One call: who calls which number, what they press, and how the call ends.

    ``hang_up_after_s`` set: the caller hangs up that long after the last key. Otherwise the
    caller waits up to ``await_hangup_s`` for Asterisk to hang up (after a booking).
    """

    number: str
    presses: tuple[Press, ...] = ()
    dialled: str = "974820680"
    hang_up_after_s: float | None = None
    await_hangup_s: float = 120.0
    name: str = field(default="caller")


def _key_actions(press: Press) -> str:
    parts = [f'  <pause milliseconds="{round(press.after_s * 1000)}"/>']
    for index, key in enumerate(press.keys):
        if index:
            parts.append(f'  <pause milliseconds="{round(press.gap_s * 1000)}"/>')
        pcap = PCAP_DIR / f"dtmf_2833_{PCAP_NAMES[key]}.pcap"
        parts.append(
            f'  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>'
        )
    return "\n".join(parts)


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
    keys = "\n".join(_key_actions(press) for press in caller.presses)
    if caller.hang_up_after_s is not None:
        ending = f"""\
  <pause milliseconds="{round(caller.hang_up_after_s * 1000)}"/>
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


async def place_call(
    caller: Caller, *, target: SipEndpoint, workdir: Path, timeout_s: float = 180.0
) -> None:
    """Run SIPp for one call; raise ``SippCallFailed`` unless it completes as scripted."""
    workdir.mkdir(parents=True, exist_ok=True)
    scenario = workdir / f"{caller.name}.xml"
    scenario.write_text(scenario_xml(caller), encoding="ascii")
    error_log = workdir / f"{caller.name}.errors.log"
    message_log = workdir / f"{caller.name}.messages.log"
    process = await asyncio.create_subprocess_exec(
        "sipp", f"{target.host}:{target.port}",
        "-sf", str(scenario),
        "-s", caller.dialled,
        "-i", target.host, "-p", str(target.local_port),
        "-mi", target.host, "-mp", str(target.media_port),
        "-m", "1", "-nostdin",
        "-timeout", f"{round(timeout_s)}s", "-timeout_error",
        "-trace_err", "-error_file", str(error_log),
        "-trace_msg", "-message_file", str(message_log),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        cwd=workdir,
        env={**os.environ, "TERM": "dumb"},
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        errors = error_log.read_text(errors="replace")[-3000:] if error_log.exists() else ""
        raise SippCallFailed(
            f"SIPp call {caller.name!r} failed (exit {process.returncode}): "
            f"{stderr.decode(errors='replace')[-1000:]}\n{errors}\n(messages: {message_log})"
        )
