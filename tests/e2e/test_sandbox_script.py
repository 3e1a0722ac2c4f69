"""The shared chroot shows one checkout's sources at a time: a second checkout's start must
refuse while the first one's Asterisk runs, not play the first one's prompts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.sandbox import REPO, SCRIPT, Sandbox, SandboxPorts

pytestmark = pytest.mark.asterisk

SANDBOX_ROOT = Path(os.environ.get("IVR_SANDBOX_ROOT", "/var/cache/ivr-booking/asterisk-sid"))


def test_the_running_sandbox_shows_this_checkout(sandbox: Sandbox) -> None:
    mounted = (SANDBOX_ROOT / "opt/ivr-booking/src").stat()
    here = REPO.stat()
    assert (mounted.st_dev, mounted.st_ino) == (here.st_dev, here.st_ino)


def test_another_checkout_is_refused_while_this_one_runs(sandbox: Sandbox, tmp_path: Path) -> None:
    other = tmp_path / "other-checkout"
    (other / "scripts").mkdir(parents=True)
    shutil.copy2(SCRIPT, other / "scripts" / SCRIPT.name)
    ports = SandboxPorts.pick()
    done = subprocess.run(
        [str(other / "scripts" / SCRIPT.name), "start"],
        env={**sandbox.environment(), "IVR_SANDBOX_INSTANCE": "other-checkout",
             "IVR_SANDBOX_SIP_PORT": str(ports.sip), "IVR_SANDBOX_AMI_PORT": str(ports.ami)},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "running with another checkout mounted" in done.stderr
    assert str(other) in done.stderr
    test_the_running_sandbox_shows_this_checkout(sandbox)
