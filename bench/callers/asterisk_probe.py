"""What the sandbox's real Asterisk does with keys and timeouts, measured on one SIPp call.

    .venv/bin/python -m bench.callers.asterisk_probe     # about a minute; prints one JSON line

The timed fake Asterisk (``tests/fakes/timed_asterisk.py``) must apply Asterisk's rules, not
ours; this probe measures them on the sandbox (``tests/e2e``: its own instance on free ports),
with a bare FastAGI peer of its own on the dialplan's AGI port that sends one command at a
time, times each reply, and cues the SIPp caller's keys (``bench.callers.sipp_keys``) at
chosen moments. What it measures:

- ``GET DATA`` without a timeout argument (and with ``0``): does it wait ``TIMEOUT(response)``
  for the first key and ``TIMEOUT(digit)`` between keys (set here to 3 s and 1 s), or its own
  6 s / 2 s? The same for ``EXEC Read`` (the dialplan application);
- a key pressed while no AGI command runs (1.2 s between two commands): lost or kept;
- a key that is not an escape digit of ``STREAM FILE``: does it stop the prompt, is it kept;
- keys 120 ms apart: all taken by one ``GET DATA``, and by ``STREAM FILE`` + ``WAIT FOR DIGIT``;
- ``Read`` with two prompts (``a&b``): does a key during the first end the command.

Key times: a cue is sent, SIPp starts the capture, Asterisk takes the key at the end of its
tone; ``key_latency_ms`` (cue → ``WAIT FOR DIGIT`` answering) is measured first and subtracted.

Errors: ``ProbeError`` when the call does not reach the probe's AGI peer or a reply is not
the expected shape; the sandbox's ``SandboxError``; SIPp's ``SippCallFailed``.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.callers.sipp_keys import Burst, start_burst_call
from prompts.manifest import Manifest
from tests.e2e.sandbox import SOUNDS_DIR, Sandbox, SandboxPorts, free_port
from tests.e2e.sipp import SipEndpoint, SippCall

CALLER_NUMBER = "+420777990001"
SHORT = "en/ivr/option-1"
LONG = "en/ivr/welcome"
RESPONSE_S, DIGIT_S = 3, 1  # distinct from GET DATA's own 6 s and 2 s


class ProbeError(RuntimeError):
    """The probe call did not go as planned."""


@dataclass
class AgiPeer:
    """One FastAGI connection: send a command, time its reply."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    log: list[dict[str, object]] = field(default_factory=list)

    async def send(self, line: str, timeout_s: float = 30.0) -> tuple[str, float]:
        """The reply line (``HANGUP`` notices skipped) and the seconds it took."""
        started = time.monotonic()
        self.writer.write(line.encode() + b"\n")
        await self.writer.drain()
        while True:
            raw = await asyncio.wait_for(self.reader.readline(), timeout_s)
            if not raw:
                raise ProbeError(f"connection closed during {line!r}")
            reply = raw.decode().strip()
            if reply != "HANGUP":
                break
        elapsed = time.monotonic() - started
        self.log.append({"command": line, "reply": reply, "s": round(elapsed, 3)})
        return reply, elapsed


def result_of(reply: str) -> str:
    if not reply.startswith("200 result="):
        raise ProbeError(f"unexpected reply {reply!r}")
    return reply.removeprefix("200 result=")


class Probe:
    def __init__(self, call: SippCall, manifest: Manifest) -> None:
        self.call = call
        self.manifest = manifest
        self.cue_times: list[float] = []
        self.found: dict[str, object] = {}

    def seconds(self, file_name: str) -> float:
        language, _, prompt_id = file_name.split("/")
        return self.manifest.duration_s(prompt_id, language)

    async def cue_after(self, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        self.cue_times.append(time.monotonic())
        await self.call.cue()

    async def with_key(self, peer: AgiPeer, line: str, delay_s: float) -> tuple[str, float, float]:
        """Send ``line`` and cue the next burst ``delay_s`` later; (reply, elapsed, cue time)."""
        cue = asyncio.create_task(self.cue_after(delay_s))
        started = time.monotonic()
        reply, elapsed = await peer.send(line)
        await cue
        return reply, elapsed, self.cue_times[-1] - started

    async def run(self, peer: AgiPeer) -> None:
        found = self.found
        short_s = self.seconds(SHORT)
        found["prompt_seconds"] = {SHORT: short_s, LONG: self.seconds(LONG)}
        for name in ("TIMEOUT(response)", "TIMEOUT(digit)"):
            found[f"default {name}"] = result_of((await peer.send(f"GET VARIABLE {name}"))[0])
        await peer.send(f"SET VARIABLE TIMEOUT(response) {RESPONSE_S}")
        await peer.send(f"SET VARIABLE TIMEOUT(digit) {DIGIT_S}")
        for name in ("TIMEOUT(response)", "TIMEOUT(digit)"):
            found[f"set {name}"] = result_of((await peer.send(f"GET VARIABLE {name}"))[0])

        # calibration: cue -> the key answering WAIT FOR DIGIT (burst 0: "9")
        reply, elapsed, cued = await self.with_key(peer, "WAIT FOR DIGIT 5000", 0.3)
        latency = elapsed - cued
        found["key_latency_ms"] = round(latency * 1000)
        found["calibration_reply"] = reply

        # GET DATA, no timeout argument, silence: the first-digit wait
        reply, elapsed = await peer.send(f"GET DATA {SHORT}")
        found["get_data_no_timeout_silent"] = {
            "reply": reply, "wait_after_prompt_s": round(elapsed - short_s, 2)}
        reply, elapsed = await peer.send(f"GET DATA {SHORT} 0 20")
        found["get_data_timeout_0_silent"] = {
            "reply": reply, "wait_after_prompt_s": round(elapsed - short_s, 2)}
        # GET DATA, no timeout argument, one key (burst 1: "4") then silence: inter-digit wait
        reply, elapsed, cued = await self.with_key(peer, f"GET DATA {SHORT}", short_s + 0.5)
        found["get_data_no_timeout_one_key"] = {
            "reply": reply, "wait_after_key_s": round(elapsed - cued - latency, 2)}

        # Read(), no timeout argument: silence, then one key (burst 2: "7")
        reply, elapsed = await peer.send(f'EXEC Read "PROBE,{SHORT},20"')
        status = result_of((await peer.send("GET VARIABLE READSTATUS"))[0])
        found["read_silent"] = {"reply": reply, "READSTATUS": status,
                                "wait_after_prompt_s": round(elapsed - short_s, 2)}
        reply, elapsed, cued = await self.with_key(peer, f'EXEC Read "PROBE,{SHORT},20"',
                                                   short_s + 0.5)
        status = result_of((await peer.send("GET VARIABLE READSTATUS"))[0])
        value = result_of((await peer.send("GET VARIABLE PROBE"))[0])
        found["read_one_key"] = {"reply": reply, "READSTATUS": status, "PROBE": value,
                                 "wait_after_key_s": round(elapsed - cued - latency, 2)}

        # a key between two commands (burst 3: "5"), 1.2 s with no command running
        await peer.send(f'STREAM FILE {SHORT} ""')
        await self.cue_after(0.0)
        await asyncio.sleep(1.2)
        reply, _ = await peer.send("WAIT FOR DIGIT 1500")
        found["key_between_commands"] = {"then_wait_for_digit": reply}

        # a key that is no escape digit during STREAM FILE (burst 4: "2", escapes "1")
        reply, elapsed, _ = await self.with_key(peer, f'STREAM FILE {LONG} "1"', 0.5)
        after, _ = await peer.send("WAIT FOR DIGIT 1000")
        found["non_escape_key_during_stream"] = {
            "reply": reply, "played_s": round(elapsed, 2), "then_wait_for_digit": after}

        # keys 120 ms apart: one GET DATA (burst 5), then STREAM FILE + WAIT FOR DIGIT (burst 6)
        reply, _, _ = await self.with_key(peer, f"GET DATA {SHORT} 3000 20", 0.2)
        found["fast_keys_one_get_data"] = {"sent": "12345678#", "reply": reply}
        reply, _, _ = await self.with_key(peer, f'STREAM FILE {LONG} "0123456789"', 0.3)
        taken = [reply]
        for _ in range(3):
            taken.append((await peer.send("WAIT FOR DIGIT 1000"))[0])
        found["fast_keys_stream_then_wait"] = {"sent": "2468", "replies": taken}

        # Read with two prompts: a key during the first one (burst 7: "3")
        reply, elapsed, _ = await self.with_key(peer, f'EXEC Read "PROBE,{LONG}&{SHORT},1"', 0.5)
        value = result_of((await peer.send("GET VARIABLE PROBE"))[0])
        found["read_two_prompts_key_in_first"] = {"reply": reply, "PROBE": value,
                                                  "s": round(elapsed, 2)}
        await self.cue_after(0.0)  # the caller hangs up


BURSTS = [
    Burst("9", (0.0,)),
    Burst("4", (0.0,)),
    Burst("7", (0.0,)),
    Burst("5", (0.0,)),
    Burst("2", (0.0,)),
    Burst("12345678#", tuple(round(0.12 * i, 2) for i in range(9))),
    Burst("2468", tuple(round(0.12 * i, 2) for i in range(4))),
    Burst("3", (0.0,)),
]


async def probe(workdir: Path) -> dict[str, object]:
    ports = SandboxPorts.pick()
    env_file = workdir / "asterisk.env"
    env_file.write_text("")
    box = Sandbox(ports=ports, env_file=env_file, instance=f"callers-probe-{os.getpid()}")
    manifest = Manifest.load(SOUNDS_DIR)
    connected: asyncio.Future[AgiPeer] = asyncio.get_running_loop().create_future()
    done = asyncio.Event()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()).strip():
            pass  # the agi_* block
        if connected.done():
            writer.close()
            return
        connected.set_result(AgiPeer(reader, writer))
        await done.wait()
        writer.close()

    await asyncio.to_thread(box.run, "start")
    server = await asyncio.start_server(on_connect, "127.0.0.1", ports.agi)
    try:
        target = SipEndpoint(host="127.0.0.1", port=ports.sip,
                             local_port=free_port(socket.SOCK_DGRAM),
                             media_port=free_port(socket.SOCK_DGRAM), cue_port=free_port())
        call = await start_burst_call(number=CALLER_NUMBER, name="probe", bursts=BURSTS,
                                      hang_up_on_cue=True, target=target, workdir=workdir)
        try:
            peer = await asyncio.wait_for(connected, 30)
        except TimeoutError:
            raise ProbeError("the call never reached the probe's AGI peer") from None
        probe_run = Probe(call, manifest)
        try:
            await probe_run.run(peer)
        finally:
            done.set()
        await call.finished(timeout_s=30)
        return {"asterisk": box.cli("core show version").strip(), **probe_run.found,
                "log": peer.log}
    finally:
        server.close()
        await asyncio.to_thread(box.run, "stop", timeout_s=120)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="callers-probe-") as folder:
        found = asyncio.run(probe(Path(folder)))
    log = found.pop("log")
    print(json.dumps(log, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(found, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
