"""The systemd units of deploy/systemd: every process has one, each is hardened, each starts a
command that exists, and ``systemd-analyze verify`` accepts them (when systemd is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import cli as slot_service_cli
from ivr.cli import app as ivr_cli

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALL_ROOT = "/opt/ivr-booking"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes",
    "RestrictSUIDSGID": "yes",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
    "UMask": "0077",
}
# every long-running process of docs/deployment.md, and the jobs
EXPECTED_COMMANDS = {
    "slot-service@.service": ("slot-service", "serve"),
    "slot-service-migrate.service": ("slot-service", "migrate"),
    "slot-service-purge.service": ("slot-service", "purge-personal-data"),
    "ivr-fastagi@.service": ("ivr", "serve"),
    "ivr-console@.service": ("ivr", "console"),
    "ivr-outbound-calls.service": ("ivr", "outbound-calls"),
}
TIMERS = ("slot-service-purge.timer", "ivr-outbound-calls.timer")

Unit = dict[str, dict[str, list[str]]]


def parse_unit(path: Path) -> Unit:
    """Sections → key → values (a key may repeat, as systemd allows)."""
    sections: Unit = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = sections.setdefault(header.group(1), {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"{path.name}:{number}: not key=value in a section"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def services() -> list[Path]:
    return sorted(UNITS.glob("*.service"))


def test_every_process_has_a_unit() -> None:
    assert {path.name for path in services()} == set(EXPECTED_COMMANDS)
    assert all((UNITS / timer).exists() for timer in TIMERS)


@pytest.mark.parametrize("path", services(), ids=lambda path: path.name)
def test_each_service_is_hardened_and_runs_as_its_own_user(path: Path) -> None:
    service = parse_unit(path)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], f"{path.name}: {key}"
    user = service["User"][0]
    assert user.startswith("ivr-") and service["Group"] == [user]
    sysusers = (UNITS / "sysusers-ivr.conf").read_text()
    assert re.search(rf"^u {re.escape(user)}\s", sysusers, re.MULTILINE), user
    assert "ReadWritePaths" not in service, "no process writes to the file system"
    filters = service["SystemCallFilter"]
    assert "@system-service" in filters and any(f.startswith("~@privileged") for f in filters)
    assert all(file.startswith(("/etc/ivr/", "-/etc/ivr/")) for file in service["EnvironmentFile"])


@pytest.mark.parametrize("path", services(), ids=lambda path: path.name)
def test_each_service_starts_an_existing_command(path: Path) -> None:
    executable, *arguments = parse_unit(path)["Service"]["ExecStart"][0].split()
    script, subcommand = EXPECTED_COMMANDS[path.name]
    assert executable == f"{INSTALL_ROOT}/.venv/bin/{script}"
    assert arguments[0] == subcommand
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(rf'^{re.escape(script)} = "', pyproject, re.MULTILINE), script
    cli = slot_service_cli if script == "slot-service" else ivr_cli
    helped = CliRunner().invoke(cli, [subcommand, "--help"])
    assert helped.exit_code == 0, helped.output
    for option in (arg for arg in arguments[1:] if arg.startswith("--")):
        assert option in helped.output, f"{path.name}: {option} is not an option"


@pytest.mark.parametrize("name", TIMERS)
def test_each_timer_starts_its_job(name: str) -> None:
    timer = parse_unit(UNITS / name)
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == ["timers.target"]
    assert not timer["Timer"].get("Unit")  # defaults to the service of the same name
    assert (UNITS / name.replace(".timer", ".service")).exists()


def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (systemd is not a dependency of the tests)")
    names = []
    for path in [*services(), *(UNITS / timer for timer in TIMERS)]:
        name = path.name.replace("@.", "@instance.")  # a template is verified as an instance
        # the venv of this checkout stands in for the installed one
        text = path.read_text().replace(INSTALL_ROOT, str(ROOT))
        (tmp_path / name).write_text(text)
        names.append(f"./{name}")
    done = subprocess.run(
        [analyze, "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
