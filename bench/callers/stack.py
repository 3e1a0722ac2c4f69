"""The real services the callers call: a fresh PostgreSQL database, ``slot-service`` and
``ivr serve`` as subprocesses, and the slot service's HTTP API to prepare and to check.

``Stack.start(folder, agi_port=…)`` creates a database on the PostgreSQL server at
``IVR_TEST_POSTGRES_DSN`` (default 127.0.0.1:5432), runs ``slot-service migrate`` and
``slot-service seed`` (which materialises the horizon, ``HORIZON_DAYS``), serves it, and starts
``ivr serve`` against it; ``stop()`` ends both and drops the database. Only the command-line
entry points and the HTTP API are used, so the stack is the one ``make demo`` runs.

- ``book_existing``: a repeat caller's booking, made through the API before its call (hold,
  then booking, as the IVR would);
- ``outcome_of``: what the slot service holds for a caller afterwards (active bookings, whether
  the identity proves them, whether an existing booking was cancelled);
- ``fastagi_cpu_s``: CPU seconds (user + system) of the ``ivr serve`` process so far.

Errors: ``StackError`` when a command fails or a server does not come up (with its log);
``httpx.HTTPError`` from the API helpers.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from api.testing import create_database, drop_database, new_database_name
from bench.callers.caller import Goal, Intent
from tests.e2e.sandbox import free_port
from tests.support.services import POSTGRES_ADMIN_DSN

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
IVR_TOKEN = "ivr-dev-token"
HORIZON_DAYS = 60


class StackError(RuntimeError):
    """A service of the stack could not be prepared or started."""


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class CallerOutcome:
    """What the slot service holds for one caller after its call."""

    bookings: list[dict[str, Any]]
    identity_ok: dict[str, bool]  # reference -> the intended identity proves it
    existing_status: str | None  # the repeat caller's earlier booking: its status now


@dataclass
class Stack:
    folder: Path
    database: str
    api_url: str
    agi_port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    @classmethod
    async def start(cls, folder: Path, *, agi_port: int | None = None,
                    horizon_days: int = HORIZON_DAYS) -> Stack:
        folder.mkdir(parents=True, exist_ok=True)
        url = await create_database(POSTGRES_ADMIN_DSN, name=new_database_name("ivr_callers"))
        stack = cls(folder=folder, database=url, api_url="",
                    agi_port=agi_port or free_port())
        env = {**os.environ, "SLOTS_DATABASE_URL": url,
               "SLOTS_HORIZON_DAYS": str(horizon_days)}
        try:
            for step in ("migrate", "seed"):
                done = await asyncio.to_thread(
                    subprocess.run, [str(BIN / "slot-service"), step], env=env,
                    capture_output=True, text=True, timeout=600, check=False)
                if done.returncode != 0:
                    raise StackError(f"slot-service {step} failed: {done.stderr[-3000:]}")
            api_port = free_port()
            stack.api_url = f"http://127.0.0.1:{api_port}"
            stack._spawn([str(BIN / "slot-service"), "serve", "--port", str(api_port),
                          "--log-level", "warning"], env, "slot-service.log")
            await stack._wait_for(api_port)
            stack._spawn([str(BIN / "ivr"), "serve", "--port", str(stack.agi_port),
                          "--slots-url", stack.api_url],
                         {**os.environ, "IVR_LOG_LEVEL": "WARNING"}, "ivr-serve.log")
            await stack._wait_for(stack.agi_port)
        except BaseException:
            await stack.stop()
            raise
        return stack

    def _spawn(self, argv: list[str], env: dict[str, str], log_name: str) -> None:
        log = self.folder / log_name
        self.logs.append(log)
        with log.open("wb") as out:
            self.processes.append(subprocess.Popen(argv, env=env, stdout=out,
                                                   stderr=subprocess.STDOUT))

    async def _wait_for(self, port: int, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            for process, log in zip(self.processes, self.logs, strict=True):
                if process.poll() is not None:
                    raise StackError(f"{process.args!r} exited: {log.read_text()[-3000:]}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                if time.monotonic() > deadline:
                    raise StackError(f"nothing listens on {port} after {timeout_s} s") from None
                await asyncio.sleep(0.2)
                continue
            writer.close()
            await writer.wait_closed()
            return

    @property
    def fastagi_pid(self) -> int:
        return self.processes[1].pid

    def fastagi_cpu_s(self) -> float:
        return process_cpu_s(self.fastagi_pid)

    async def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait, 5)
        await drop_database(POSTGRES_ADMIN_DSN, self.database)

    # -- the API -----------------------------------------------------------------------------

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.api_url, timeout=20,
                                 headers={"Authorization": f"Bearer {IVR_TOKEN}"})

    async def book_existing(self, api: httpx.AsyncClient, *, number: str, language: str,
                            office: str, visit_type: str, passport_digits: str,
                            birth_date: date, nth_slot: int = 5) -> dict[str, Any]:
        """A booking for ``number``, made the way the IVR makes one."""
        response = await api.get("/availability", params={
            "office": office, "visit_type": visit_type,
            "after": datetime.now().astimezone().isoformat(), "limit": nth_slot})
        response.raise_for_status()
        slot = response.json()["slots"][-1]
        hold = await api.post("/holds", json={"slot_id": slot["slot_id"],
                                              "caller_number": number, "language": language})
        hold.raise_for_status()
        booking = await api.post("/bookings", headers={"Idempotency-Key": uuid.uuid4().hex},
                                 json={"hold_id": hold.json()["hold_id"], "caller_number": number,
                                       "language": language, "passport_digits": passport_digits,
                                       "birth_date": birth_date.isoformat()})
        booking.raise_for_status()
        made: dict[str, Any] = booking.json()
        return made

    async def book_for_repeat_callers(self, callers: Sequence[Intent]) -> dict[str, Any]:
        """The bookings repeat callers already have, by number."""
        made: dict[str, Any] = {}
        async with self.client() as api:
            for intent in callers:
                if intent.goal in (Goal.KEEP, Goal.CANCEL):
                    made[intent.number] = await self.book_existing(
                        api, number=intent.number, language=intent.language,
                        office=intent.office, visit_type=intent.visit_type,
                        passport_digits=intent.identity_digits, birth_date=intent.birth_date)
        return made

    async def outcome_of(self, api: httpx.AsyncClient, *, number: str, passport_digits: str,
                         birth_date: date, existing_reference: str | None) -> CallerOutcome:
        response = await api.get("/bookings", params={"caller_number": number})
        response.raise_for_status()
        bookings: list[dict[str, Any]] = response.json()
        identity_ok = {}
        for booking in bookings:
            proof = await api.get(f"/bookings/{booking['reference']}", params={
                "passport_digits": passport_digits, "birth_date": birth_date.isoformat()})
            identity_ok[booking["reference"]] = proof.status_code == 200
        status = None
        if existing_reference is not None:
            found = await api.get(f"/bookings/{existing_reference}",
                                  params={"caller_number": number})
            found.raise_for_status()
            status = found.json()["status"]
        return CallerOutcome(bookings, identity_ok, status)
