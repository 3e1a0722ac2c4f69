"""`make demo`: the launcher's steps, and one scripted call through the whole chain."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from scripts import demo

ROOT = Path(__file__).resolve().parents[2]
BOOKING_SCRIPT = "2 1 1 1 12345678# 01021990 1 1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def quiet_console() -> Iterator[Console]:
    with open(os.devnull, "w") as sink:
        yield Console(file=sink)


def test_options_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTS_DATABASE_URL", "postgresql+asyncpg://elsewhere/db")
    options = demo.parse_options(
        ["--script", "2 1", "--api-port", "18080", "--agi-port", "14573", "--build-dir",
         str(tmp_path), "--no-audio", "--postgres-port", "15433"]
    )
    assert (options.script, options.audio) == ("2 1", False)
    assert options.postgres_dir == tmp_path / "postgres"
    env = demo.demo_environment(options)
    assert "SLOTS_DATABASE_URL" not in env  # the embedded database, always
    assert env["SLOTS_EMBEDDED__DATA_DIR"] == str(tmp_path / "postgres")
    assert env["SLOTS_EMBEDDED__PORT"] == "15433"
    assert env["IVR_AGI_PORT"] == "14573"
    assert env["IVR_SLOTS_BASE_URL"] == "http://127.0.0.1:18080"


def test_commands_come_from_the_virtualenv() -> None:
    assert Path(demo.command_path("slot-service")).name == "slot-service"
    with pytest.raises(demo.DemoError, match="not installed"):
        demo.command_path("no-such-command-anywhere")


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    yield process
    process.kill()
    process.wait()


def test_a_service_that_dies_is_named_with_its_log(
    tmp_path: Path, quiet_console: Console, sleeper: subprocess.Popen[bytes]
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait()
    options = demo.DemoOptions(api_port=free_port(), agi_port=free_port(), start_timeout_s=5)
    services = [
        demo.Service("slot service", dead, tmp_path / "demo-slots.log"),
        demo.Service("FastAGI server", sleeper, tmp_path / "demo-agi.log"),
    ]
    with pytest.raises(demo.DemoError, match=r"slot service exited with status 3.*demo-slots"):
        demo.wait_until_ready(services, options, quiet_console)


def test_a_service_that_never_answers_times_out(
    tmp_path: Path, quiet_console: Console, sleeper: subprocess.Popen[bytes]
) -> None:
    options = demo.DemoOptions(api_port=free_port(), agi_port=free_port(), start_timeout_s=0.5)
    services = [
        demo.Service("slot service", sleeper, tmp_path / "demo-slots.log"),
        demo.Service("FastAGI server", sleeper, tmp_path / "demo-agi.log"),
    ]
    with pytest.raises(demo.DemoError, match=r"did not answer within 0.5 s; see .*demo-slots"):
        demo.wait_until_ready(services, options, quiet_console)


def test_stop_all_ends_the_services(quiet_console: Console, tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    demo.stop_all([demo.Service("x", process, tmp_path / "x.log")], quiet_console)
    assert process.returncode is not None


def test_a_port_in_use_is_refused_before_anything_starts(quiet_console: Console) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        options = demo.DemoOptions(api_port=busy.getsockname()[1], agi_port=free_port())
        with pytest.raises(demo.DemoError, match=r"already in use.*--api-port"):
            demo.run(options, quiet_console)


def test_a_database_port_in_use_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status = demo.main(
            ["--script", "2", "--no-audio", "--api-port", str(free_port()), "--agi-port",
             str(free_port()), "--postgres-port", str(port), "--build-dir", str(tmp_path)]
        )
    assert status == 1
    shown = " ".join(capsys.readouterr().out.split())
    assert f"port {port} on 127.0.0.1 is taken by another program" in shown
    assert "SLOTS_EMBEDDED__PORT" in shown
