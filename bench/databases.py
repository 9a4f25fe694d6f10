"""Generated databases for the bench, cached between runs by size, seed and fingerprint.

SQLite: the generated file is kept in the cache and copied for each run. PostgreSQL: the
generated database is kept as a template and each run gets ``CREATE DATABASE ... TEMPLATE``,
dropped afterwards. A run never changes the cached data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER_URL = os.environ.get(
    "FRITIDSGUIDE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
#: Every PostgreSQL database the bench makes starts with this.
PG_PREFIX = "fgbench_"


def fingerprint(*files: Path) -> str:
    """Changes whenever the generator, the schema, the keyring or the bench accounts change."""
    digest = hashlib.sha256()
    sources = [
        ROOT / "guide" / "demo" / "history.py",
        ROOT / "guide" / "demo" / "vocabulary.py",
        *sorted((ROOT / "migrations" / "versions").glob("*.py")),
        *files,
    ]
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def data_command(env: dict[str, str], *args: str) -> None:
    """Run ``python -m bench.data <args>`` with the bench's settings; fail loudly."""
    command = [sys.executable, "-m", "bench.data", *args]
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def generate(env: dict[str, str], *, cases: int, seed: int, accounts_file: Path) -> None:
    data_command(
        env,
        "generate",
        "--cases",
        str(cases),
        "--seed",
        str(seed),
        "--accounts-file",
        str(accounts_file),
    )


class SqliteDatabase:
    kind = "sqlite"

    def __init__(self, *, cases: int, seed: int, key: str, work: Path) -> None:
        self.cases, self.seed = cases, seed
        self.cached = work / "cache" / f"sqlite-{cases}-seed{seed}-{key}.sqlite3"
        self.copy = work / "run" / f"bench-{cases}.sqlite3"

    @staticmethod
    def url(path: Path) -> str:
        return f"sqlite:///{path}"

    def prepare(self, base_env: dict[str, str], accounts_file: Path) -> str:
        """A fresh copy of the cached database (generated first if missing); returns its URL."""
        if not self.cached.exists():
            self.cached.parent.mkdir(parents=True, exist_ok=True)
            for stale in self.cached.parent.glob(f"sqlite-{self.cases}-seed{self.seed}-*"):
                stale.unlink()
            partial = self.cached.with_suffix(".partial")
            _remove_sqlite(partial)
            env = {**base_env, "DATABASE_URL": self.url(partial)}
            generate(env, cases=self.cases, seed=self.seed, accounts_file=accounts_file)
            os.replace(partial, self.cached)
        self.copy.parent.mkdir(parents=True, exist_ok=True)
        _remove_sqlite(self.copy)
        shutil.copyfile(self.cached, self.copy)
        return self.url(self.copy)

    def cleanup(self) -> None:
        _remove_sqlite(self.copy)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresDatabase:
    kind = "postgresql"

    def __init__(self, *, cases: int, seed: int, key: str) -> None:
        self.cases, self.seed = cases, seed
        self.template = f"{PG_PREFIX}tpl_{cases}_s{seed}_{key}"
        self.run_name = f"{PG_PREFIX}run_{cases}"

    @staticmethod
    def url(name: str) -> str:
        return PG_SERVER_URL.rsplit("/", 1)[0] + "/" + name

    def _admin(self, *statements: str) -> None:
        """Run statements that take no parameters (names are the bench's own constants)."""
        with psycopg.connect(PG_SERVER_URL, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type]

    def _database_names(self, prefix: str) -> list[str]:
        with psycopg.connect(PG_SERVER_URL, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (prefix,)
            ).fetchall()
        return [name for (name,) in rows]

    def _exists(self, name: str) -> bool:
        return name in self._database_names(name)

    def prepare(self, base_env: dict[str, str], accounts_file: Path) -> str:
        """A fresh database made from the cached template (generated first if missing)."""
        if not self._exists(self.template):
            prefix = f"{PG_PREFIX}tpl_{self.cases}_s{self.seed}_"
            stale = self._database_names(prefix)
            partial = f"{PG_PREFIX}partial_{self.cases}"
            self._admin(
                *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in stale),
                f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)',
                f'CREATE DATABASE "{partial}"',
            )
            env = {**base_env, "DATABASE_URL": self.url(partial)}
            generate(env, cases=self.cases, seed=self.seed, accounts_file=accounts_file)
            self._admin(f'ALTER DATABASE "{partial}" RENAME TO "{self.template}"')
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.run_name}" WITH (FORCE)',
            f'CREATE DATABASE "{self.run_name}" TEMPLATE "{self.template}"',
        )
        return self.url(self.run_name)

    def cleanup(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.run_name}" WITH (FORCE)')
