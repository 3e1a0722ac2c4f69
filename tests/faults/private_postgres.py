"""A private PostgreSQL server for fault tests that stop and start it: the embedded one of
``api.embedded`` (the wheel's PostgreSQL 18) in a folder of its own on a free port.

The machine's shared server on 127.0.0.1:5432 is never touched. Run as root, the server runs
as the embedded server's system user, so its folder is made under /tmp (pytest's tmp_path is
root's alone) and left enterable by others.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api.embedded import EmbeddedPostgres
from api.errors import EmbeddedDatabaseError
from api.settings import EmbeddedDatabaseSettings
from tests.ivr.flow.http_slots import free_port
from tests.support.services import unavailable


@contextmanager
def private_postgres() -> Iterator[EmbeddedPostgres]:
    folder = Path(tempfile.mkdtemp(prefix="ivr-private-pg-"))
    folder.chmod(0o755)
    server = EmbeddedPostgres(
        EmbeddedDatabaseSettings(data_dir=folder / "data", port=free_port(), database="faults")
    )
    try:
        server.start()
    except EmbeddedDatabaseError as error:
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"the embedded PostgreSQL cannot start: {error.message}")
    try:
        yield server
    finally:
        server.stop(mode="immediate")
        shutil.rmtree(folder, ignore_errors=True)
