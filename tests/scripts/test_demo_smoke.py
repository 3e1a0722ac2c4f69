"""`make demo --script`: one scripted call through the whole chain (slot service and FastAGI
server as subprocesses, the terminal phone in-process) must book a visit."""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.scripts.test_demo import BOOKING_SCRIPT, ROOT, free_port


@pytest.mark.slow
def test_a_scripted_demo_call_books_a_visit(tmp_path: Path) -> None:
    api_port, agi_port = free_port(), free_port()
    env = {**os.environ, "SLOTS_HORIZON_DAYS": "7"}
    done = subprocess.run(
        [sys.executable, "-m", "scripts.demo", "--script", BOOKING_SCRIPT, "--no-audio",
         "--api-port", str(api_port), "--agi-port", str(agi_port), "--build-dir", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=90, check=False,
    )
    output = done.stdout + done.stderr
    logs = {path.name: path.read_text() for path in tmp_path.glob("demo-*.log")}
    assert done.returncode == 0, f"{output}\n{logs}"
    assert "booked:" in output
    assert f"http://127.0.0.1:{api_port}/docs" in output
    assert "ivr-dev-token" in output
    assert {"demo-slots.log", "demo-agi.log", "demo-setup.log"} <= set(logs)
    assert not port_is_open(api_port) and not port_is_open(agi_port), "services stopped"


def port_is_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_an_interactive_demo_offers_another_call_and_stops_cleanly(tmp_path: Path) -> None:
    """On a terminal: hang up with q, take another call, then SIGTERM stops both services."""
    api_port, agi_port = free_port(), free_port()
    env = {**os.environ, "SLOTS_HORIZON_DAYS": "3"}
    controller, terminal = pty.openpty()
    demo_process = subprocess.Popen(
        [sys.executable, "-m", "scripts.demo", "--no-audio", "--api-port", str(api_port),
         "--agi-port", str(agi_port), "--build-dir", str(tmp_path)],
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
    assert not port_is_open(api_port) and not port_is_open(agi_port), "services stopped"


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
