"""The embedded PostgreSQL (``api.embedded``): start, connect, stop, restart on the same data,
and the failures a newcomer can meet, each with a message that says what to do.

Each test gets a copy of one data folder made by initdb for the session (initdb takes about
a second) in a folder under /tmp that the server's user can reach, and a free port. Run as
root (as here), the server runs as an unprivileged system user; one test also runs the whole
supervisor as that user, to show that a normal user needs no root for the database.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import site
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from api.cli import cli
from api.db import asyncpg_dsn
from api.embedded import EmbeddedPostgres, running_for, system_user
from api.errors import EmbeddedDatabaseError
from api.settings import ApiSettings, EmbeddedDatabaseSettings
from tests.ivr.flow.http_slots import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
AS_ROOT = os.geteuid() == 0


@pytest.fixture(scope="session")
def reachable_folder() -> Iterator[Path]:
    """A folder under /tmp that any user may enter (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="ivr-embedded-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def initialised(reachable_folder: Path) -> Path:
    """A data folder made by initdb once; tests start servers on copies of it."""
    settings = EmbeddedDatabaseSettings(data_dir=reachable_folder / "initialised", port=free_port())
    server = EmbeddedPostgres(settings)
    server.start()
    server.stop()
    return settings.data_dir


@pytest.fixture
def settings(reachable_folder: Path, initialised: Path) -> EmbeddedDatabaseSettings:
    data_dir = reachable_folder / uuid.uuid4().hex[:8]
    subprocess.run(["cp", "-a", str(initialised), str(data_dir)], check=True)  # keeps owners
    (data_dir / "server.log").unlink(missing_ok=True)
    return EmbeddedDatabaseSettings(data_dir=data_dir, port=free_port())


@pytest.fixture
def server(settings: EmbeddedDatabaseSettings) -> Iterator[EmbeddedPostgres]:
    embedded = EmbeddedPostgres(settings)
    yield embedded
    if embedded.status().running:
        embedded.stop(mode="immediate")


async def fetch(url: str, sql: str) -> object:
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


def test_start_connect_stop_and_restart_on_the_same_data(server: EmbeddedPostgres) -> None:
    assert not server.status().running
    assert server.start() is True
    status = server.status()
    assert status.running and status.port == server.port
    assert "PostgreSQL 18" in str(asyncio.run(fetch(server.url, "SELECT version()")))
    asyncio.run(fetch(server.url, "CREATE TABLE kept AS SELECT 42 AS answer"))
    assert server.start() is False  # already running: reused
    assert server.stop() is True
    assert not server.status().running
    assert server.stop() is False
    assert server.start() is True  # the same data folder, no initdb
    assert asyncio.run(fetch(server.url, "SELECT answer FROM kept")) == 42
    server.stop()


@pytest.mark.skipif(not AS_ROOT, reason="the server runs as another user only under root")
def test_run_as_root_the_server_runs_as_an_unprivileged_user(server: EmbeddedPostgres) -> None:
    server.start()
    pid = server.status().pid
    owner = Path(f"/proc/{pid}").stat().st_uid
    assert owner != 0
    assert owner == server.data_dir.stat().st_uid


@pytest.mark.skipif(not AS_ROOT, reason="creates a system user: root only")
def test_the_system_user_is_created_if_missing() -> None:
    name = f"ivr-pg-{uuid.uuid4().hex[:6]}"
    try:
        created = system_user(name)
        assert pwd.getpwnam(name).pw_uid == created.uid != 0
        assert pwd.getpwnam(name).pw_shell == "/usr/sbin/nologin"
        assert system_user(name) == created  # the second time it exists
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)


# this checkout and the virtualenv's packages, for an interpreter of the same version
PYTHONPATH = os.pathsep.join([str(ROOT), *site.getsitepackages()])


def interpreter_for(uid: int) -> str:
    """A Python of this version that ``uid`` may run: this one, unless it lives in a folder
    only root enters (here pyenv under /root), then the system's."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    asked = "import sys; print('%d.%d' % sys.version_info[:2])"
    for candidate in (sys.executable, shutil.which(f"python{version}"), "/usr/bin/python3"):
        if candidate is None:
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", asked], user=uid, capture_output=True, text=True, cwd="/"
            )
        except OSError:  # not executable for that user
            continue
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    pytest.fail(f"no Python {version} that the user {uid} may run")


@pytest.mark.skipif(not AS_ROOT, reason="needs root to become an unprivileged user")
def test_a_normal_user_runs_it_without_root(reachable_folder: Path) -> None:
    user = system_user(EmbeddedDatabaseSettings().system_user)
    folder = reachable_folder / f"user-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    os.chown(folder, user.uid, user.gid)
    script = (
        "import asyncio, asyncpg\n"
        "from api.embedded import EmbeddedPostgres\n"
        "from api.settings import EmbeddedDatabaseSettings\n"
        f"server = EmbeddedPostgres(EmbeddedDatabaseSettings(data_dir={str(folder / 'data')!r},"
        f" port={free_port()}))\n"
        "assert server.start()\n"
        "async def ask():\n"
        "    connection = await asyncpg.connect(server.url.replace('+asyncpg', ''))\n"
        "    print(await connection.fetchval('SELECT current_user'))\n"
        "    await connection.close()\n"
        "try:\n"
        "    asyncio.run(ask())\n"
        "finally:\n"
        "    server.stop()\n"
    )
    done = subprocess.run(
        [interpreter_for(user.uid), "-c", script],
        cwd=ROOT,
        user=user.uid,
        group=user.gid,
        extra_groups=[],
        env={"PATH": os.environ["PATH"], "HOME": str(folder), "PYTHONPATH": PYTHONPATH},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "postgres"
    assert (folder / "data" / "PG_VERSION").stat().st_uid == user.uid


def test_a_port_taken_by_another_program_is_named(server: EmbeddedPostgres) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", server.port))
        taken.listen()
        with pytest.raises(EmbeddedDatabaseError, match=f"port {server.port}.*taken") as error:
            server.start()
    assert error.value.details["reason"] == "port-taken"
    assert "SLOTS_EMBEDDED__PORT" in error.value.message


def test_a_data_folder_of_another_version_is_refused(server: EmbeddedPostgres) -> None:
    (server.data_dir / "PG_VERSION").write_text("16\n")
    with pytest.raises(EmbeddedDatabaseError, match=r"PostgreSQL 16.*PostgreSQL 18") as error:
        server.start()
    assert error.value.details["reason"] == "other-version"


def test_a_folder_that_holds_something_else_is_refused(reachable_folder: Path) -> None:
    data_dir = reachable_folder / f"other-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    (data_dir / "notes.txt").write_text("mine")
    server = EmbeddedPostgres(EmbeddedDatabaseSettings(data_dir=data_dir, port=free_port()))
    with pytest.raises(EmbeddedDatabaseError) as error:
        server.start()
    assert error.value.details["reason"] == "not-a-data-folder"


def test_a_server_that_will_not_start_shows_the_end_of_its_log(
    server: EmbeddedPostgres,
) -> None:
    with (server.data_dir / "postgresql.conf").open("a") as conf:
        conf.write("no_such_setting = 1\n")
    with pytest.raises(EmbeddedDatabaseError, match="no_such_setting") as error:
        server.start()
    assert error.value.details["reason"] == "start-failed"
    assert str(server.log) in error.value.message


def test_a_server_running_on_another_port_is_named(
    server: EmbeddedPostgres, settings: EmbeddedDatabaseSettings
) -> None:
    server.start()
    elsewhere = EmbeddedPostgres(settings.model_copy(update={"port": free_port()}))
    with pytest.raises(EmbeddedDatabaseError, match=f"runs on port {server.port}") as error:
        elsewhere.start()
    assert error.value.details["reason"] == "other-port"


@pytest.mark.skipif(not AS_ROOT, reason="a folder root's user cannot enter: root only")
def test_a_folder_the_servers_user_cannot_reach_is_named() -> None:
    private = Path(tempfile.mkdtemp(prefix="ivr-private-"))  # mode 0700, root's
    try:
        server = EmbeddedPostgres(
            EmbeddedDatabaseSettings(data_dir=private / "data", port=free_port())
        )
        with pytest.raises(EmbeddedDatabaseError, match=f"cannot enter {private}") as error:
            server.start()
        assert error.value.details["reason"] == "unreachable"
    finally:
        shutil.rmtree(private, ignore_errors=True)


def test_the_commands_start_it_for_themselves_and_db_leaves_it_running(
    settings: EmbeddedDatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLOTS_DATABASE_URL", raising=False)
    monkeypatch.setenv("SLOTS_EMBEDDED__DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SLOTS_EMBEDDED__PORT", str(settings.port))
    assert ApiSettings().uses_embedded_database
    server = EmbeddedPostgres(settings)
    runner = CliRunner()
    migrated = runner.invoke(cli, ["migrate"])  # starts it, and stops it when done
    assert migrated.exit_code == 0, migrated.output
    assert not server.status().running
    try:
        assert runner.invoke(cli, ["db", "status"]).exit_code == 3
        started = runner.invoke(cli, ["db", "start"])
        assert started.exit_code == 0 and "started" in started.output
        assert runner.invoke(cli, ["db", "status"]).exit_code == 0
        with running_for(ApiSettings()):  # running already: left running afterwards
            versions = asyncio.run(fetch(server.url, "SELECT version_num FROM alembic_version"))
        assert versions and server.status().running
        stopped = runner.invoke(cli, ["db", "stop"])
        assert stopped.exit_code == 0 and "stopped" in stopped.output
        assert not server.status().running
    finally:
        server.stop()
