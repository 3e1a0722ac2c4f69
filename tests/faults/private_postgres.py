"""A private PostgreSQL server for fault tests that stop and start it.

The machine's shared server on 127.0.0.1:5432 is never touched: this one lives in its own data
folder, listens on a free port and its own socket folder, and is stopped with the test. initdb
refuses to run as root, so as root every command runs as the ``postgres`` user (``runuser``);
the folder is made in /tmp (pytest's tmp_path is private to root) and given to that user.

A missing binary or user goes through ``tests.support.services.unavailable`` (fails under CI).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.support.services import unavailable

START_TIMEOUT_S = 30


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        unavailable("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) not installed")
    return Path(found[-1]).parent


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivatePostgres:
    def __init__(self, folder: Path, port: int, binaries: Path) -> None:
        self.folder, self.port, self._bin = folder, port, binaries
        self.data = folder / "data"
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, command: Sequence[str]) -> None:
        argv = list(command)
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=START_TIMEOUT_S)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[-3:]} failed: {done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run([str(self._bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                   "--auth=trust", "--no-sync", "-E", "UTF8"])

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        self._run([str(self._bin / "pg_ctl"), "-D", str(self.data), "-l",
                   str(self.folder / "server.log"), "-o", options, "-w", "start"])

    def running(self) -> bool:
        argv = [str(self._bin / "pg_ctl"), "-D", str(self.data), "status"]
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, timeout=START_TIMEOUT_S).returncode == 0

    def stop(self, mode: str = "fast") -> None:
        self._run([str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    binaries = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="ivr-private-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            unavailable("running as root and no 'postgres' user to run initdb as")
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = PrivatePostgres(folder, _free_port(), binaries)
    try:
        server.init()
        server.start()
        yield server
    finally:
        if server.data.exists() and server.running():
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
