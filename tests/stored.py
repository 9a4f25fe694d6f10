"""What a test database holds as stored bytes, for "no plaintext at rest" checks."""

from __future__ import annotations

import shutil
import subprocess

from sqlalchemy import text


def database_bytes(db) -> bytes:
    """Every page of the SQLite file (after a checkpoint), or a PostgreSQL dump."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        with db.engine.begin() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            # Every page, read through SQLite: opening the file a second time and closing it
            # would drop this process's locks on it, and another process closing the
            # database would then remove the write-ahead log under this one's connections.
            return connection.connection.driver_connection.serialize()
    assert shutil.which("pg_dump"), "pg_dump is needed for this check"
    dump = subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "-h",
            url.host,
            "-p",
            str(url.port or 5432),
            "-U",
            url.username,
            url.database,
        ],
        check=True,
        capture_output=True,
    )
    return dump.stdout
