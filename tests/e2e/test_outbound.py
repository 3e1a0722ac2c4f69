"""Outbound notices on the real Asterisk, with SIPp as the callee on the trunk's contact:
``ivr.outbound``'s job (its AMI dialer, the real Originate) against the slot service's planner
(``api.services.outbound`` on the module's own database, with a clock of the test's own), the
dialplan's ``[ivr-notice]`` and the flow's notice mode served by ``ivr serve``.

The callee presses its keys when the flow listens, as the callers of the other end-to-end
tests do (``tests.e2e.sipp``): its cues need the call's SIP Call-ID, which Asterisk chose, so
it is read from the channel (``CHANNEL(pjsip,call-id)``) when the flow first asks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from api.calendar import is_working_day
from api.clock import ManualClock
from api.db import Database, asyncpg_dsn
from api.metrics import Metrics
from api.outbound_rules import Outcome
from api.services.context import ServiceContext
from api.services.outbound import OutboundService
from api.settings import ApiSettings
from ivr.ami.settings import AmiSettings
from ivr.outbound.dialer import AmiDialer, Ended, Notice
from ivr.outbound.job import RunReport, run_calls
from ivr.outbound.settings import OutboundCallSettings
from tests.e2e.ami import AmiWatcher
from tests.e2e.conftest import (
    AMI_SECRET,
    AMI_USER,
    BIN,
    IVR_TOKEN,
    SlotService,
    running_slot_service,
    stop_process,
    wait_until_listening,
)
from tests.e2e.sandbox import Sandbox, free_port
from tests.e2e.sipp import KEY_PLAY_MS, Caller, SippCall, _connect_cues, write_dtmf_pcap

pytestmark = pytest.mark.asterisk

PRAGUE = ZoneInfo("Europe/Prague")
OFFICE = "praha-zukovskeho"
PASSPORT_BIRTH = {"birth_date": "1990-05-17"}


@pytest.fixture(scope="module")
def outbound_slots(sandbox: Sandbox, postgres_server: str,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlotService]:
    """A slot service of the module's own: its bookings are the only ones reminded."""
    with running_slot_service(postgres_server, tmp_path_factory.mktemp("outbound-slots")) as s:
        yield s


@pytest.fixture(scope="module")
def notice_engine(outbound_slots: SlotService,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`ivr serve` (routes booking, operator-hours, notice) on the module's slot service."""
    port = free_port()
    log = tmp_path_factory.mktemp("notice-engine") / "serve.log"
    env = {**os.environ, "IVR_AGI_HOST": "127.0.0.1", "IVR_AGI_PORT": str(port),
           "IVR_SLOTS_BASE_URL": outbound_slots.url, "IVR_SLOTS_TOKEN": IVR_TOKEN}
    with log.open("wb") as out:
        process = subprocess.Popen([str(BIN / "ivr"), "serve"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(port, process=process, what="ivr serve (notices)", log=log)
        yield port
    finally:
        stop_process(process)


@pytest.fixture
async def notices_on_sandbox(ami: AmiWatcher, sandbox: Sandbox,
                             notice_engine: int) -> AsyncIterator[None]:
    """The dialplan's FastAGI port on the notice engine, AMD off (SIPp says nothing when it
    answers, which AMD takes for a machine); both restored afterwards."""
    await ami.set_global("IVR_AGI_PORT", str(notice_engine))
    await ami.set_global("IVR_NOTICE_AMD", "no")
    yield
    await ami.set_global("IVR_AGI_PORT", str(sandbox.ports.agi))
    await ami.set_global("IVR_NOTICE_AMD", "yes")


@dataclass
class Planner:
    """The slot service's planner, called in this process with the test's clock."""

    service: OutboundService

    async def plan(self) -> list[Notice]:
        planned = await self.service.plan()
        return [Notice(attempt_id=c.attempt_id, kind=c.kind.value,
                       booking_reference=c.booking_reference, caller_number=c.caller_number)
                for c in planned.calls]

    async def record(self, attempt_id: int, ended: Ended) -> None:
        await self.service.record(attempt_id=attempt_id, outcome=Outcome(ended.outcome),
                                  new_booking_reference=ended.new_booking_reference)


@pytest.fixture
async def planner(outbound_slots: SlotService) -> AsyncIterator[tuple[Planner, ManualClock]]:
    clock = ManualClock(dt.datetime.now(dt.UTC))
    settings = ApiSettings(database_url=outbound_slots.database_url)
    database = Database(url=outbound_slots.database_url)
    context = ServiceContext(database=database, settings=settings, clock=clock, metrics=Metrics())
    try:
        yield Planner(OutboundService(context)), clock
    finally:
        await database.dispose()


def dialer(sandbox: Sandbox, caller_id: str, *, ring_seconds: float = 20) -> AmiDialer:
    ami = AmiSettings(host="127.0.0.1", port=sandbox.ports.ami, username=AMI_USER,
                      secret=AMI_SECRET)
    settings = OutboundCallSettings(caller_id=caller_id, ring_seconds=ring_seconds,
                                    call_max_seconds=120)
    return AmiDialer(ami=ami, settings=settings)


# -- bookings ---------------------------------------------------------------------------------

def book(slots: SlotService, *, number: str, not_before: dt.date,
         visit_type: str = "ltr-extension") -> dict[str, Any]:
    """The first slot from ``not_before`` on, booked by ``number`` in English."""
    with slots.client() as client:
        after = dt.datetime.combine(not_before, dt.time(0), tzinfo=PRAGUE).isoformat()
        found = client.get("/availability", params={"office": OFFICE, "visit_type": visit_type,
                                                     "after": after}).json()["slots"][0]
        held = client.post("/holds", json={"slot_id": found["slot_id"], "caller_number": number,
                                           "language": "en"})
        assert held.status_code == 201, held.text
        booked = client.post("/bookings", json={
            "hold_id": held.json()["hold_id"], "caller_number": number, "language": "en",
            "passport_digits": number[-8:], **PASSPORT_BIRTH})
        assert booked.status_code == 201, booked.text
        result: dict[str, Any] = booked.json()
        return result


def booking(slots: SlotService, reference: str, number: str) -> dict[str, Any]:
    with slots.client() as client:
        found = client.get(f"/bookings/{reference}", params={"caller_number": number})
    assert found.status_code == 200, found.text
    result: dict[str, Any] = found.json()
    return result


def reminder_moment(visit: str) -> dt.datetime:
    """10:00 on the working day before the visit (its reminder day)."""
    day = dt.datetime.fromisoformat(visit).astimezone(PRAGUE).date() - dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=PRAGUE)


def visit_day(offset: int) -> dt.date:
    """A working day ``offset`` working days after the day after tomorrow: each test reminds a
    day of its own, so that no test calls another test's caller."""
    day = dt.date.today() + dt.timedelta(days=2)
    count = 0
    while True:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
            if count > offset:
                return day


# -- the callee -------------------------------------------------------------------------------

RINGING = """  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0
]]></send>"""
ANSWER = """  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
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
]]></send>
  <recv request="ACK" crlf="true"/>"""
HANGUP_AWAITED = """  <recv request="BYE" timeout="120000"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>"""
BUSY = """  <send><![CDATA[
SIP/2.0 486 Busy Here
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
  <recv request="ACK"/>"""
CANCELLED = """  <recv request="CANCEL"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
  <send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq: [$cseq] INVITE
Content-Length: 0
]]></send>
  <recv request="ACK"/>"""
INVITE = """  <recv request="INVITE" crlf="true"/>"""
# the INVITE's CSeq number, for the 487 that ends it after Asterisk's CANCEL
INVITE_KEEPING_CSEQ = """  <recv request="INVITE" crlf="true">
    <action><ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" assign_to="cseq"/></action>
  </recv>"""


# an answering machine: it answers (in A-law, as SIPp's recording is) and speaks at once, on and
# on (SIPp's own recording of speech), which AMD() hears as a long greeting
MACHINE_SPEECH = "/usr/share/sip-tester/g711a.pcap"
ANSWER_SPEAKING = ANSWER.replace("RTP/AVP 0 101", "RTP/AVP 8 101").replace(
    "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000") + (
    f'\n  <nop><action><exec play_pcap_audio="{MACHINE_SPEECH}"/></action></nop>')


def callee_scenario(keys: list[Path], *, answers: str) -> str:
    if answers == "machine":
        body = [INVITE, RINGING, ANSWER_SPEAKING, HANGUP_AWAITED]
    elif answers == "busy":
        body = [INVITE, BUSY]
    elif answers == "never":
        body = [INVITE_KEEPING_CSEQ, RINGING, CANCELLED]
    else:
        presses = [
            f'  <recvCmd/>\n  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'
            f'  <pause milliseconds="{KEY_PLAY_MS}"/>' for pcap in keys
        ]
        body = [INVITE, RINGING, ANSWER, *presses, HANGUP_AWAITED]
    return ('<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="notice-callee">\n'
            + "\n".join(body) + "\n</scenario>\n")


@dataclass
class Callee:
    """SIPp answering the trunk; ``presses`` its keys as the flow asks (``SippCall``)."""

    process: asyncio.subprocess.Process
    cues: asyncio.StreamWriter | None
    script: Caller  # number: the caller id of the notice (what AMI events carry)
    logs: tuple[Path, Path]

    async def press(self, ami: AmiWatcher) -> None:
        asked = await ami.wait_for(
            lambda e: (e.get("Event") == "AGIExecStart"
                       and e.get("CallerIDNum") == self.script.number),
            timeout_s=60, what="the notice's first AGI command")
        call_id = await ami.action(Action="Getvar", Channel=asked["Channel"],
                                   Variable="CHANNEL(pjsip,call-id)")
        call = SippCall(self.script, process=self.process, cue_writer=self.cues,
                        call_id=call_id["Value"], logs=self.logs)
        await call.press_when_asked(ami)

    async def finished(self, timeout_s: float = 120) -> int:
        try:
            async with asyncio.timeout(timeout_s):
                await self.process.wait()
        finally:
            if self.cues is not None:
                self.cues.close()
        return self.process.returncode or 0

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


async def start_callee(sandbox: Sandbox, workdir: Path, *, caller_id: str, keys: str = "",
                       answers: str = "yes") -> Callee:
    workdir.mkdir(parents=True, exist_ok=True)
    pcaps = [workdir / f"key{index:02d}.pcap" for index in range(len(keys))]
    for index, (key, pcap) in enumerate(zip(keys, pcaps, strict=True)):
        write_dtmf_pcap(pcap, key=key, press_index=index)
    scenario = workdir / f"callee-{answers}.xml"
    scenario.write_text(callee_scenario(pcaps, answers=answers), encoding="ascii")
    cue_port = free_port()
    logs = (workdir / "callee.errors.log", workdir / "callee.messages.log")
    cue_options = ["-3pcc", f"127.0.0.1:{cue_port}"] if keys else []
    process = await asyncio.create_subprocess_exec(
        "sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(sandbox.ports.trunk),
        "-mi", "127.0.0.1", "-mp", str(free_port(socket.SOCK_DGRAM)), *cue_options,
        "-m", "1", "-nostdin", "-timeout", "180s", "-timeout_error",
        "-trace_err", "-error_file", str(logs[0]), "-trace_msg", "-message_file", str(logs[1]),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=workdir,
        env={**os.environ, "TERM": "dumb"},
    )
    cues = await _connect_cues(cue_port, process) if keys else None
    return Callee(process=process, cues=cues,
                  script=Caller(number=caller_id, name=f"callee-{answers}", keys=keys),
                  logs=logs)


async def run_with(callee: Callee, ami: AmiWatcher, planner: Planner,
                   sandbox: Sandbox, caller_id: str, **dial: float) -> RunReport:
    """The job's run (the real AMI dialer) while the callee presses its keys."""
    async with dialer(sandbox, caller_id, **dial) as dialing:
        job = asyncio.create_task(run_calls(planner=planner, dialer=dialing))
        try:
            if callee.script.keys:
                await callee.press(ami)
            return await asyncio.wait_for(job, 150)
        finally:
            job.cancel()
            await callee.stop()


async def attempts_of(slots: SlotService) -> list[tuple[str, int, str | None, str | None]]:
    connection = await asyncpg.connect(asyncpg_dsn(slots.database_url))
    try:
        rows = await connection.fetch(
            "SELECT b.reference, a.attempt, a.outcome, a.new_booking_reference"
            " FROM outbound_attempts a JOIN outbound_notices n ON n.id = a.notice_id"
            " JOIN bookings b ON b.id = n.booking_id ORDER BY a.id")
    finally:
        await connection.close()
    return [(r["reference"], r["attempt"], r["outcome"], r["new_booking_reference"])
            for r in rows]


async def booked_seats(slots: SlotService, *slot_ids: int) -> list[int]:
    connection = await asyncpg.connect(asyncpg_dsn(slots.database_url))
    try:
        rows = await connection.fetch(
            "SELECT id, booked_phone FROM slots WHERE id = ANY($1::int[])", list(slot_ids))
    finally:
        await connection.close()
    seats = {row["id"]: row["booked_phone"] for row in rows}
    return [seats[slot_id] for slot_id in slot_ids]


# -- the tests --------------------------------------------------------------------------------


async def test_answered_and_keeps(
    ami: AmiWatcher, sandbox: Sandbox, outbound_slots: SlotService, notices_on_sandbox: None,
    planner: tuple[Planner, ManualClock], tmp_path: Path,
) -> None:
    plan, clock = planner
    number, caller_id = "+420777300001", "+420974820001"
    mine = book(outbound_slots, number=number, not_before=visit_day(0))
    clock.set(reminder_moment(mine["starts_at"]))
    callee = await start_callee(sandbox, tmp_path, caller_id=caller_id, keys="1")

    report = await run_with(callee, ami, plan, sandbox, caller_id)

    assert list(report.outcomes.values()) == ["kept"]
    assert (mine["reference"], 1, "kept", None) in await attempts_of(outbound_slots)
    assert booking(outbound_slots, mine["reference"], number)["status"] == "confirmed"
    played = [e["Command"] for e in ami.events if e.get("Event") == "AGIExecStart"
              and e.get("CallerIDNum") == caller_id and "STREAM FILE" in str(e.get("Command"))]
    assert any('"en/ivr/notice-reminder"' in command for command in played)
    assert any('"en/ivr/booking-kept"' in command for command in played)


async def test_answered_and_rebooks_the_earliest_slot_with_the_same_identity(
    ami: AmiWatcher, sandbox: Sandbox, outbound_slots: SlotService, notices_on_sandbox: None,
    planner: tuple[Planner, ManualClock], tmp_path: Path,
) -> None:
    plan, clock = planner
    number, caller_id = "+420777300002", "+420974820002"
    old = book(outbound_slots, number=number, not_before=visit_day(2))
    clock.set(reminder_moment(old["starts_at"]))
    callee = await start_callee(sandbox, tmp_path, caller_id=caller_id, keys="31#")
    before = await booked_seats(outbound_slots, old["slot_id"])

    report = await run_with(callee, ami, plan, sandbox, caller_id)

    assert list(report.outcomes.values()) == ["rebooked"]
    [(_, _, outcome, new_reference)] = [
        a for a in await attempts_of(outbound_slots) if a[0] == old["reference"]]
    assert outcome == "rebooked" and new_reference is not None
    new = booking(outbound_slots, new_reference, number)
    assert new["status"] == "confirmed"
    assert (new["office"], new["visit_type"]) == (old["office"], old["visit_type"])
    assert new["starts_at"] < old["starts_at"]  # the earliest slot, not the old day
    assert booking(outbound_slots, old["reference"], number)["status"] == "cancelled"
    with outbound_slots.client() as client:  # the same identity, nothing keyed in the call
        by_identity = client.get(f"/bookings/{new_reference}",
                                 params={"passport_digits": number[-8:], **PASSPORT_BIRTH})
    assert by_identity.status_code == 200
    # the old seat is given back; the new slot had no booking (the module's database is its
    # own, and its other tests book days after this one's earliest slot)
    assert await booked_seats(outbound_slots, old["slot_id"], new["slot_id"]) == [
        before[0] - 1, 1]


async def test_busy_then_retried_and_answered(
    ami: AmiWatcher, sandbox: Sandbox, outbound_slots: SlotService, notices_on_sandbox: None,
    planner: tuple[Planner, ManualClock], tmp_path: Path,
) -> None:
    plan, clock = planner
    number, caller_id = "+420777300003", "+420974820003"
    mine = book(outbound_slots, number=number, not_before=visit_day(4))
    clock.set(reminder_moment(mine["starts_at"]))
    busy = await start_callee(sandbox, tmp_path / "first", caller_id=caller_id, answers="busy")
    first = await run_with(busy, ami, plan, sandbox, caller_id)
    assert list(first.outcomes.values()) == ["busy"]

    clock.advance(minutes=10)
    assert await plan.plan() == []  # not before the retry delay
    clock.advance(minutes=21)
    answering = await start_callee(sandbox, tmp_path / "second", caller_id=caller_id, keys="1")
    second = await run_with(answering, ami, plan, sandbox, caller_id)

    assert list(second.outcomes.values()) == ["kept"]
    assert [a[1:3] for a in await attempts_of(outbound_slots) if a[0] == mine["reference"]] == [
        (1, "busy"), (2, "kept")]


async def test_no_answer_is_recorded_and_retried_later(
    ami: AmiWatcher, sandbox: Sandbox, outbound_slots: SlotService, notices_on_sandbox: None,
    planner: tuple[Planner, ManualClock], tmp_path: Path,
) -> None:
    plan, clock = planner
    number, caller_id = "+420777300004", "+420974820004"
    mine = book(outbound_slots, number=number, not_before=visit_day(6))
    clock.set(reminder_moment(mine["starts_at"]))
    ringing = await start_callee(sandbox, tmp_path, caller_id=caller_id, answers="never")

    report = await run_with(ringing, ami, plan, sandbox, caller_id, ring_seconds=4)

    assert list(report.outcomes.values()) == ["no-answer"]
    clock.advance(minutes=31)
    [retry] = await plan.plan()
    assert (retry.booking_reference, retry.attempt_id > 0) == (mine["reference"], True)
    await plan.record(retry.attempt_id, Ended("no-answer"))


async def test_opt_out_is_never_called_again(
    ami: AmiWatcher, sandbox: Sandbox, outbound_slots: SlotService, notices_on_sandbox: None,
    planner: tuple[Planner, ManualClock], tmp_path: Path,
) -> None:
    plan, clock = planner
    number, caller_id = "+420777300005", "+420974820005"
    mine = book(outbound_slots, number=number, not_before=visit_day(8))
    later = book(outbound_slots, number=number, not_before=visit_day(10), visit_type="biometrics")
    clock.set(reminder_moment(mine["starts_at"]))
    callee = await start_callee(sandbox, tmp_path, caller_id=caller_id, keys="9")

    report = await run_with(callee, ami, plan, sandbox, caller_id)

    assert list(report.outcomes.values()) == ["opted-out"]
    clock.set(reminder_moment(later["starts_at"]))
    assert await plan.plan() == []  # the number's other visit is not reminded
    connection = await asyncpg.connect(asyncpg_dsn(outbound_slots.database_url))
    try:
        assert await connection.fetchval(
            "SELECT count(*) FROM outbound_opt_outs WHERE caller_number = $1", number) == 1
    finally:
        await connection.close()
    assert booking(outbound_slots, mine["reference"], number)["status"] == "confirmed"



async def test_an_answering_machine_is_not_reached_and_tried_again(
    ami: AmiWatcher, sandbox: Sandbox, outbound_slots: SlotService, notices_on_sandbox: None,
    planner: tuple[Planner, ManualClock], tmp_path: Path,
) -> None:
    """With AMD() on, a callee that answers with a long greeting is taken for a machine: the
    flow never runs, the attempt is retried."""
    plan, clock = planner
    await ami.set_global("IVR_NOTICE_AMD", "yes")
    number, caller_id = "+420777300006", "+420974820006"
    mine = book(outbound_slots, number=number, not_before=visit_day(1))
    clock.set(reminder_moment(mine["starts_at"]))
    machine = await start_callee(sandbox, tmp_path, caller_id=caller_id, answers="machine")

    report = await run_with(machine, ami, plan, sandbox, caller_id)

    assert list(report.outcomes.values()) == ["answering-machine"]
    assert not any(e.get("Event") == "AGIExecStart" and e.get("CallerIDNum") == caller_id
                   for e in ami.events)
    clock.advance(minutes=31)
    [retry] = await plan.plan()
    assert retry.booking_reference == mine["reference"]
    await plan.record(retry.attempt_id, Ended("no-answer"))
