"""`make demo --script`: one scripted call through the whole chain (slot service and FastAGI
server as subprocesses, the terminal phone in-process) must book a visit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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
