"""The Asterisk sandbox as the end-to-end tests use it: started once per session through
``scripts/asterisk-sandbox.sh`` on free ports, stopped at the end.

The tests load exactly the project's example configuration; the script substitutes only
addresses, ports and paths. Each test session runs its own instance (own ports, own config and
log tree) in the shared chroot, so that sessions of several developers do not stop each other.
``missing_prerequisite()`` names what this machine lacks (root, debootstrap, SIPp) so that the
fixtures can skip locally, or fail under ``CI=true``.

Errors: ``SandboxError`` when the script fails (its output is in the message).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "asterisk-sandbox.sh"
SOUNDS_DIR = REPO / "build" / "sounds"


class SandboxError(RuntimeError):
    """scripts/asterisk-sandbox.sh failed."""


@dataclass(frozen=True)
class SandboxPorts:
    sip: int
    ami: int
    rtp_start: int
    agi: int
    trunk: int  # SIP/UDP: the carrier trunk's contact, where a test's SIPp callee answers

    @classmethod
    def pick(cls) -> SandboxPorts:
        """Free ports, so that test sessions (and a sandbox started by hand) do not collide."""
        rtp_start = 20000 + (os.getpid() % 400) * 100  # the script takes 100 ports from here
        return cls(sip=free_port(socket.SOCK_DGRAM), ami=free_port(), rtp_start=rtp_start,
                   agi=free_port(), trunk=free_port(socket.SOCK_DGRAM))


def free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def missing_prerequisite() -> str | None:
    """Why the sandbox cannot run here, or None."""
    if os.geteuid() != 0:
        return "the Asterisk sandbox needs root (debootstrap, chroot, mount)"
    for tool, package in (("debootstrap", "debootstrap"), ("sipp", "sip-tester")):
        if shutil.which(tool) is None:
            return f"{tool} is missing (apt-get install {package}; scripts/system-deps.sh test)"
    return None


@dataclass(frozen=True)
class Sandbox:
    """One Asterisk instance in the shared chroot (``IVR_SANDBOX_INSTANCE``)."""

    ports: SandboxPorts
    env_file: Path
    instance: str

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "IVR_SANDBOX_SIP_PORT": str(self.ports.sip),
            "IVR_SANDBOX_AMI_PORT": str(self.ports.ami),
            "IVR_SANDBOX_RTP_START": str(self.ports.rtp_start),
            "IVR_SANDBOX_AGI_PORT": str(self.ports.agi),
            "IVR_SANDBOX_TRUNK": f"127.0.0.1:{self.ports.trunk}",
            "IVR_SANDBOX_ENV_FILE": str(self.env_file),
            "IVR_SANDBOX_INSTANCE": self.instance,
        }

    def run(self, *args: str, timeout_s: float = 900.0) -> str:
        done = subprocess.run(
            [str(SCRIPT), *args],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if done.returncode != 0:
            raise SandboxError(
                f"asterisk-sandbox.sh {' '.join(args)} exited {done.returncode}:\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )
        return done.stdout + done.stderr

    def cli(self, command: str) -> str:
        return self.run("cli", command, timeout_s=30)
