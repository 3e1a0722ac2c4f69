"""Keys at chosen timings in a real SIPp call: one RFC 4733 capture per burst of keys.

``tests/e2e/sipp.py`` plays one key per cue, and a cue must wait ``CUE_GAP_S`` (0.6 s) after
the last one, so a fast typist (keys 120–250 ms apart) cannot be played key by key. Here each
cue plays a *burst*: the keys a caller types in one go (a passport number and ``#``), each at
its own offset inside one capture. A key is a short tone (``TONE_MS``) followed by the three
end-of-event packets; Asterisk takes the key when the end packet arrives, so a key "at" time
``t`` starts its tone at ``t - TONE_MS``.

The scenario and the call object are the e2e harness's own (``scenario_xml``, ``SippCall``):
only the captures differ, so a burst is cued like a key (``SippCall.cue``). Starting SIPp
(``start_burst_call``) repeats the harness's ``start_sipp`` command line because that function
writes one-key captures of its own and takes no others.

Errors: ``ValueError`` for a key that is not a phone key or offsets out of order;
``SippCallFailed`` (from the harness) when SIPp cannot be started.
"""

from __future__ import annotations

import asyncio
import os
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.sipp import (
    CALL_TIMEOUT_S,
    DTMF_PAYLOAD_TYPE,
    DTMF_SSRC,
    KEY_EVENTS,
    Caller,
    SipEndpoint,
    SippCall,
    _connect_cues,
    scenario_xml,
)

TONE_MS = 60  # 3 RTP packets of 20 ms; Asterisk stretches a shorter key to its 80 ms minimum
PACKET_S = 0.02
SAMPLES_PER_PACKET = 160  # 20 ms at 8 kHz
END_PACKETS = 3  # RFC 4733: the end of an event is sent three times


@dataclass(frozen=True)
class Burst:
    """Keys typed in one go: ``keys[i]`` ends (is taken by Asterisk) ``offsets_s[i]`` after the
    first key ends (``offsets_s[0]`` is 0). The capture starts ``CAPTURE_LEAD_S`` before the
    first key's end."""

    keys: str
    offsets_s: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.keys or len(self.keys) != len(self.offsets_s) or self.offsets_s[0] != 0:
            raise ValueError("a burst needs one offset per key, the first one 0")
        if set(self.keys) - set(KEY_EVENTS):
            raise ValueError(f"not phone keys: {self.keys!r}")
        if any(b - a < TONE_MS / 1000 for a, b in zip(self.offsets_s, self.offsets_s[1:],
                                                      strict=False)):
            raise ValueError(f"keys closer than one tone ({TONE_MS} ms): {self.offsets_s}")

    @property
    def duration_s(self) -> float:
        return self.offsets_s[-1]


def burst_packets(burst: Burst, *, first_press: int) -> list[tuple[float, bytes]]:
    """The RTP packets of ``burst`` with their send offsets; press ``first_press + i`` gets its
    own sequence numbers and timestamp, after those of every earlier press of the call (Asterisk
    drops a telephone event that looks like a retransmission of an older one)."""
    packets: list[tuple[float, bytes]] = []
    tone_packets = TONE_MS // 20
    for index, (key, end_offset) in enumerate(zip(burst.keys, burst.offsets_s, strict=True)):
        press = first_press + index
        seq0 = 1000 + press * 20
        timestamp = 16000 + press * 16000
        start = end_offset - burst.offsets_s[0]  # the capture starts with the first tone
        for packet in range(tone_packets + END_PACKETS):
            end = packet >= tone_packets
            duration = SAMPLES_PER_PACKET * min(packet + 1, tone_packets)
            rtp = struct.pack(
                "!BBHII", 0x80, (0x80 if packet == 0 else 0) | DTMF_PAYLOAD_TYPE,
                seq0 + packet, timestamp, DTMF_SSRC,
            ) + struct.pack("!BBH", KEY_EVENTS[key], (0x80 if end else 0) | 10, duration)
            packets.append((start + min(packet, tone_packets) * PACKET_S, rtp))
    return packets


def write_burst_pcap(path: Path, burst: Burst, *, first_press: int) -> None:
    """``burst`` as a capture SIPp replays with ``play_pcap_audio`` (Ethernet/IPv4/UDP)."""
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for offset, rtp in burst_packets(burst, first_press=first_press):
            udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
            frame = b"\x00" * 12 + b"\x08\x00" + ip
            seconds = 1_700_000_000 + offset
            out.write(struct.pack("<IIII", int(seconds), round((seconds % 1) * 1e6),
                                  len(frame), len(frame)))
            out.write(frame)


CAPTURE_LEAD_S = TONE_MS / 1000  # a burst's capture starts this long before its first key


async def start_burst_call(*, number: str, name: str, bursts: Sequence[Burst],
                           hang_up_on_cue: bool, target: SipEndpoint, workdir: Path,
                           await_hangup_s: float = 240.0) -> SippCall:
    """Start SIPp for one call that plays ``bursts`` one per cue (then, with
    ``hang_up_on_cue``, hangs up on one more cue; otherwise waits for Asterisk's BYE)."""
    workdir.mkdir(parents=True, exist_ok=True)
    labels = "".join(burst.keys[0] for burst in bursts)
    caller = Caller(number=number, name=name, keys=labels, hang_up_on_cue=hang_up_on_cue,
                    await_hangup_s=await_hangup_s)
    pcaps = [workdir / f"{name}.burst{index:02d}.pcap" for index in range(len(bursts))]
    press = 0
    for burst, pcap in zip(bursts, pcaps, strict=True):
        write_burst_pcap(pcap, burst, first_press=press)
        press += len(burst.keys)
    scenario = workdir / f"{name}.xml"
    scenario.write_text(scenario_xml(caller, pcaps), encoding="ascii")
    error_log, message_log = workdir / f"{name}.errors.log", workdir / f"{name}.messages.log"
    call_id = f"callers-{name}-{uuid.uuid4().hex[:8]}@{target.host}"
    cued = bool(bursts) or hang_up_on_cue
    cue_options = ["-3pcc", f"127.0.0.1:{target.cue_port}"] if cued else []
    process = await asyncio.create_subprocess_exec(
        "sipp", f"{target.host}:{target.port}", "-sf", str(scenario), "-s", caller.dialled,
        "-i", target.host, "-p", str(target.local_port),
        "-mi", target.host, "-mp", str(target.media_port), *cue_options,
        "-cid_str", call_id, "-m", "1", "-nostdin",
        "-timeout", f"{round(CALL_TIMEOUT_S + await_hangup_s)}s", "-timeout_error",
        "-trace_err", "-error_file", str(error_log),
        "-trace_msg", "-message_file", str(message_log),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=workdir,
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
