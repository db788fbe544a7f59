"""A real PostgreSQL server for the engine tests: the Debian server binaries, a temporary data
directory, 127.0.0.1 and a free port.

:func:`postgres_server` (a session-scoped fixture, imported by the test modules that use it)
starts one server per pytest-xdist worker, so workers never share a database, and stops it at
the end of the session. Start-up takes about a second. Outside CI the tests using it are
skipped (with the reason) when the binaries are missing; on CI (``CI=true``) a missing server
is an error, since ``make test``'s ``system-deps`` step installs it.

The server asks for a password on TCP (scram-sha-256), so the tests can check the message for
a wrong one. ``initdb`` refuses to run as root: as root, the server runs as the ``postgres``
user, in a directory that user owns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

__all__ = ["PG_BIN", "PostgresServer", "copy_frame", "postgres_server"]



def _server_bin() -> Path:
    """The newest Debian server binaries (/usr/lib/postgresql/<major>/bin), or WORKBENCH_PG_BIN."""
    if os.environ.get("WORKBENCH_PG_BIN"):
        return Path(os.environ["WORKBENCH_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _server_bin()
USER = "wb"
PASSWORD = "s3cret-Pw"  # the tests check that it never shows in a message
DATABASE = "shop"


@dataclass(frozen=True)
class PostgresServer:
    """A running server: where it listens and how to log in."""

    host: str
    port: int
    user: str
    password: str
    database: str

    def url(self, *, password: str | None = None, schema: str | None = None,
            port: int | None = None) -> str:
        """``postgresql://`` URL of the database (with ``password``, default the right one)."""
        secret = self.password if password is None else password
        query = f"?schema={schema}" if schema else ""
        return (f"postgresql://{self.user}:{secret}@{self.host}:{port or self.port}/"
                f"{self.database}{query}")

    def connect(self):
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user,
                               password=self.password, dbname=self.database, autocommit=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (closed again before returning)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(args: list[str]) -> list[str]:
    """Run ``args`` as the ``postgres`` user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(_as_owner(args), check=False, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def start_server(root: Path) -> tuple[PostgresServer, Path]:
    """initdb + pg_ctl start in ``root`` (a fresh directory); returns the server and data dir."""
    data = root / "data"
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={pwfile}",
          "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8",
          "--locale=C.UTF-8", "--no-sync"], "initdb")
    last_error = ""
    for _ in range(5):  # a free port can be taken between the probe and the start
        port = free_port()
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        try:
            _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options,
                  "-l", str(root / "log"), "-w", "-t", "60", "start"], "pg_ctl start")
        except RuntimeError as exc:
            last_error = f"{exc}\n{(root / 'log').read_text(errors='replace')[-2000:]}"
            continue
        _run([str(PG_BIN / "createdb"), "-h", str(root), "-p", str(port), "-U", USER, DATABASE],
             "createdb")
        return PostgresServer("127.0.0.1", port, USER, PASSWORD, DATABASE), data
    raise RuntimeError(last_error)


def stop_server(data: Path) -> None:
    subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                              "stop"]), check=False, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test process (one per xdist worker), stopped at the end."""
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_BIN}/initdb is missing on CI: `make system-deps` installs postgresql")
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} "
                    "(apt-get install postgresql, or set WORKBENCH_PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="wb-pg-"))
    data = None
    try:
        started = time.perf_counter()
        server, data = start_server(root)
        print(f"PostgreSQL on 127.0.0.1:{server.port} in {time.perf_counter() - started:.1f} s")
        yield server
    finally:
        if data is not None:
            stop_server(data)
        shutil.rmtree(root, ignore_errors=True)


_PG_TYPES = {"string": "text", "timestamp": "timestamp", "date": "date", "float": "double precision",
             "money": "numeric(14, 2)", "int": "bigint"}


def copy_frame(server: PostgresServer, table: str, frame: pd.DataFrame,
               types: dict[str, str]) -> None:
    """Create ``table`` (``schema.name`` allowed) with ``types`` (column -> kind of
    ``_PG_TYPES``) and COPY ``frame`` into it. Column names are quoted, so Chinese ones work.
    """
    schema, _, name = table.rpartition(".")
    qualified = (f'"{schema}".' if schema else "") + f'"{name}"'
    columns = ", ".join(f'"{c}" {_PG_TYPES[types[c]]}' for c in frame.columns)
    with server.connect() as con:
        if schema:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        con.execute(f"DROP TABLE IF EXISTS {qualified}")
        con.execute(f"CREATE TABLE {qualified} ({columns})")
        names = ", ".join(f'"{c}"' for c in frame.columns)
        with con.cursor().copy(f"COPY {qualified} ({names}) FROM STDIN") as copy:
            for row in frame.itertuples(index=False):
                copy.write_row([None if pd.isna(v) else v for v in row])
