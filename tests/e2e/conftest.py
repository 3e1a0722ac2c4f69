"""Fixtures of the end-to-end tests: the Asterisk sandbox, the slot service on PostgreSQL, the
FastAGI server (`ivr serve`), AMI, and SIPp callers.

Session scope for what is slow to start (the sandbox, the services); function scope for AMI
(panoramisk binds to the test's event loop). Everything runs on free loopback ports, and the
session's Asterisk is an instance of its own in the shared chroot, so that a sandbox or
`ivr serve` started by hand, or another developer's test session, is not disturbed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ivr.flow.menus import FLOW_PROMPT_IDS
from tests.e2e.ami import AmiAddress, AmiWatcher
from tests.e2e.sandbox import SOUNDS_DIR, Sandbox, SandboxPorts, free_port, missing_prerequisite
from tests.e2e.sipp import PromptClock, SipEndpoint
from tests.support.services import fresh_database, unavailable

BIN = Path(sys.executable).parent
IVR_TOKEN = "ivr-dev-token"
AMI_USER = "ivr"
AMI_SECRET = "ivr-dev-secret"
# prompts the dialplan itself plays; the flow's prompts are checked by the flow's own tests
DIALPLAN_PROMPTS = ("service-error", "operators-closed", "goodbye", "callback-registered")


def wait_until_listening(port: int, *, process: subprocess.Popen[bytes], what: str,
                         log: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{what} exited with {process.returncode}: {log.read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(
        f"{what} not listening on {port} after {timeout_s} s: {log.read_text()[-3000:]}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def sandbox_prerequisites() -> None:
    reason = missing_prerequisite()
    if reason is not None:
        unavailable(reason)


@pytest.fixture(scope="session")
def built_prompts(sandbox_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build/sounds, built with `ivr prompts build` when a prompt the dialplan or the flow plays
    is missing."""
    # the flow's own prompts too: a prompt added since the last build would be skipped (logged)
    # and the calls would go on without it
    wanted = [SOUNDS_DIR / lang / "ivr" / f"{pid}.sln16"
              for lang in ("cs", "en") for pid in (*DIALPLAN_PROMPTS, *sorted(FLOW_PROMPT_IDS))]
    if not all(path.exists() for path in wanted):
        log = tmp_path_factory.mktemp("prompts") / "build.log"
        with log.open("wb") as out:
            done = subprocess.run([str(BIN / "ivr"), "prompts", "build", "--out", str(SOUNDS_DIR)],
                                  stdout=out, stderr=subprocess.STDOUT, timeout=900, check=False)
        if done.returncode != 0:
            pytest.fail(f"ivr prompts build failed: {log.read_text()[-3000:]}")
    return SOUNDS_DIR


@pytest.fixture(scope="session")
def prompt_clock(built_prompts: Path) -> PromptClock:
    return PromptClock(built_prompts)


@dataclass(frozen=True)
class SlotService:
    url: str
    database_url: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10,
                            headers={"Authorization": f"Bearer {IVR_TOKEN}"})


@pytest.fixture(scope="session")
def slot_service(sandbox_prerequisites: None, postgres_server: str,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlotService]:
    """`slot-service migrate`, `seed`, `serve` on a fresh PostgreSQL database."""
    with running_slot_service(postgres_server, tmp_path_factory.mktemp("slot-service")) as slots:
        yield slots


@contextmanager
def running_slot_service(postgres_server: str, logs: Path) -> Iterator[SlotService]:
    """A slot service of its own: migrated, seeded and serving on a fresh database."""
    with fresh_database(postgres_server) as database_url:
        env = {**os.environ, "SLOTS_DATABASE_URL": database_url, "SLOTS_HORIZON_DAYS": "21"}
        for step in ("migrate", "seed"):
            done = subprocess.run([str(BIN / "slot-service"), step], env=env, capture_output=True,
                                  text=True, timeout=300, check=False)
            if done.returncode != 0:
                pytest.fail(f"slot-service {step} failed: {done.stderr[-3000:]}")
        port = free_port()
        log = logs / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(BIN / "slot-service"), "serve", "--port", str(port)],
                env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_listening(port, process=process, what="slot-service serve", log=log)
            yield SlotService(url=f"http://127.0.0.1:{port}", database_url=database_url)
        finally:
            stop_process(process)


def engine_environment(slot_service: SlotService, ports: SandboxPorts) -> dict[str, str]:
    """What `ivr serve` and the classic AGI entry point read (env prefixes IVR_*, SLOTS_*)."""
    return {
        "IVR_AGI_HOST": "127.0.0.1",
        "IVR_AGI_PORT": str(ports.agi),
        "IVR_SLOTS_BASE_URL": slot_service.url,
        "IVR_SLOTS_TOKEN": IVR_TOKEN,
    }


@pytest.fixture(scope="session")
def sandbox(built_prompts: Path, slot_service: SlotService,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The real Asterisk, started with the project's configuration on the test ports."""
    ports = SandboxPorts.pick()
    env_file = tmp_path_factory.mktemp("sandbox") / "asterisk.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in
                                engine_environment(slot_service, ports).items()))
    box = Sandbox(ports=ports, env_file=env_file, instance=f"e2e-{os.getpid()}")
    started = time.monotonic()
    box.run("start")
    print(f"\nsandbox ready in {time.monotonic() - started:.1f} s")
    try:
        yield box
    finally:
        box.run("stop", timeout_s=120)


def caller_endpoint(sandbox: Sandbox) -> SipEndpoint:
    """The sandbox's SIP port and free local ports for one SIPp caller."""
    return SipEndpoint(host="127.0.0.1", port=sandbox.ports.sip,
                       local_port=free_port(socket.SOCK_DGRAM),
                       media_port=free_port(socket.SOCK_DGRAM), cue_port=free_port())


@pytest.fixture
def sip_target(sandbox: Sandbox) -> SipEndpoint:
    return caller_endpoint(sandbox)


@pytest.fixture
async def ami(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[AmiWatcher]:
    """AMI for one test; every event it saw is kept in ami-events.json for diagnosis."""
    address = AmiAddress(host="127.0.0.1", port=sandbox.ports.ami,
                         username=AMI_USER, secret=AMI_SECRET)
    async with AmiWatcher(address=address) as watcher:
        try:
            yield watcher
        finally:
            (tmp_path / "ami-events.json").write_text(json.dumps(watcher.events, indent=1))


@pytest.fixture
async def operators_open(ami: AmiWatcher) -> AsyncIterator[None]:
    """Operator hours cover now for this test (the example's are office hours)."""
    default = await ami.action(Action="Getvar", Variable="IVR_OPERATOR_HOURS")
    await ami.set_global("IVR_OPERATOR_HOURS", "*,*,*,*")
    yield
    await ami.set_global("IVR_OPERATOR_HOURS", default["Value"])


@pytest.fixture(scope="session")
def booking_engine(sandbox: Sandbox, slot_service: SlotService,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`ivr serve`: the real booking flow on the port the sandbox's dialplan calls."""
    log = tmp_path_factory.mktemp("ivr-serve") / "serve.log"
    env = {**os.environ, **engine_environment(slot_service, sandbox.ports)}
    with log.open("wb") as out:
        process = subprocess.Popen([str(BIN / "ivr"), "serve"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(sandbox.ports.agi, process=process, what="ivr serve", log=log)
        yield sandbox.ports.agi
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def classic_agi(sandbox: Sandbox) -> None:
    """The project installed inside the chroot, where Asterisk runs `ivr-agi-classic`."""
    started = time.monotonic()
    sandbox.run("classic", timeout_s=900)
    print(f"\nclassic AGI installed in the chroot in {time.monotonic() - started:.1f} s")
