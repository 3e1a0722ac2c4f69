"""`make demo --script`: one scripted call through the whole chain (the embedded PostgreSQL,
slot service and FastAGI server as subprocesses, the terminal phone in-process) must book a
visit, and book again on the second run, which reuses the database's data folder."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scripts.test_demo import BOOKING_SCRIPT, ROOT, free_port


@pytest.fixture
def build_dir() -> Iterator[Path]:
    """A build folder the database's user can enter when run as root (tmp_path is root's)."""
    folder = Path(tempfile.mkdtemp(prefix="ivr-demo-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_scripted_demo(build_dir: Path, postgres_port: int) -> tuple[str, int, int]:
    api_port, agi_port = free_port(), free_port()
    env = {**os.environ, "SLOTS_HORIZON_DAYS": "7"}
    done = subprocess.run(
        [sys.executable, "-m", "scripts.demo", "--script", BOOKING_SCRIPT, "--no-audio",
         "--api-port", str(api_port), "--agi-port", str(agi_port), "--postgres-port",
         str(postgres_port), "--build-dir", str(build_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    output = done.stdout + done.stderr
    logs = {path.name: path.read_text() for path in build_dir.glob("demo-*.log")}
    assert done.returncode == 0, f"{output}\n{logs}"
    assert "booked:" in output
    assert f"http://127.0.0.1:{api_port}/docs" in output
    assert "ivr-dev-token" in output and "desk-dev-token" in output
    assert {"demo-slots.log", "demo-agi.log", "demo-setup.log"} <= set(logs)
    return output, api_port, agi_port


@pytest.mark.slow
def test_a_scripted_demo_call_books_a_visit_and_again_on_the_same_data(
    build_dir: Path,
) -> None:
    postgres_port = free_port()
    output, api_port, agi_port = run_scripted_demo(build_dir, postgres_port)
    assert "PostgreSQL started" in output
    for port in (api_port, agi_port, postgres_port):
        assert not port_is_open(port), f"port {port}: everything the demo started stopped"
    initialised = (build_dir / "postgres" / "PG_VERSION").stat().st_mtime
    again, _, _ = run_scripted_demo(build_dir, postgres_port)
    assert "PostgreSQL started" in again
    assert (build_dir / "postgres" / "PG_VERSION").stat().st_mtime == initialised  # no initdb


def port_is_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_an_interactive_demo_offers_another_call_and_stops_cleanly(build_dir: Path) -> None:
    """On a terminal: hang up with q, take another call, then SIGTERM stops the services and
    the database."""
    api_port, agi_port, postgres_port = free_port(), free_port(), free_port()
    env = {**os.environ, "SLOTS_HORIZON_DAYS": "3"}
    controller, terminal = pty.openpty()
    demo_process = subprocess.Popen(
        [sys.executable, "-m", "scripts.demo", "--no-audio", "--api-port", str(api_port),
         "--agi-port", str(agi_port), "--postgres-port", str(postgres_port), "--build-dir",
         str(build_dir)],
        cwd=ROOT, env=env, stdin=terminal, stdout=terminal, stderr=terminal,
    )
    os.close(terminal)
    screen = Screen(controller)
    try:
        screen.wait_for("calling", timeout=60)
        screen.wait_for("welcome", timeout=10)
        os.write(controller, b"q")
        screen.wait_for("Another call?", timeout=10)
        assert "hung up" in screen.text
        os.write(controller, b"y\n")
        screen.wait_for("calling", timeout=10, occurrence=2)
        demo_process.send_signal(signal.SIGTERM)
        assert demo_process.wait(timeout=30) == 143
    finally:
        if demo_process.poll() is None:
            demo_process.kill()
            demo_process.wait()
        os.close(controller)
    for port in (api_port, agi_port, postgres_port):
        assert not port_is_open(port), f"port {port}: everything the demo started stopped"


class Screen:
    """What the demo printed on its terminal, read as it comes."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self.text = ""

    def wait_for(self, needle: str, *, timeout: float, occurrence: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while self.text.count(needle) < occurrence:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{needle!r} not shown within {timeout} s:\n{self.text}")
            ready, _, _ = select.select([self._fd], [], [], min(remaining, 0.2))
            if ready:
                self.text += os.read(self._fd, 65536).decode("utf-8", errors="replace")
