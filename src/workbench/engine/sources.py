"""Where the data lives, and the Ibis backend that aggregates it.

A source spec is one of:

- a folder of CSV / Parquet files (``data/shop``): DuckDB in memory reads the files in place;
- a DuckDB database file, ``duckdb:///path/file.duckdb`` (opened read-only);
- a PostgreSQL database, ``postgresql://user:password@host:5432/db?schema=crm`` (``schema``
  is where unqualified table names are looked up; ``postgres://`` works too);
- a Parquet dataset, as a file, a folder of Parquet files or a glob (``lake/orders/*.parquet``):
  the transactions table.

File sources (folders and Parquet) aggregate on DuckDB by default or, with ``engine="spark"``,
on Spark (:mod:`workbench.engine.spark`). A database source aggregates in that database.
Errors are :class:`EngineError` (a :class:`workbench.io.DataError`, so the command line prints
them without a traceback), and no message carries a password (:func:`redact`).
"""

from __future__ import annotations

import contextlib
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import parse_qs, unquote, urlsplit

import duckdb
import ibis
import psycopg
from ibis.common.exceptions import IbisError, TableNotFound

from workbench.io import DataError

__all__ = ["ENGINES", "Connection", "EngineError", "Source", "connect", "parse_source", "redact"]

Engine = Literal["duckdb", "spark"]
#: Engines that can aggregate file sources; database sources aggregate where they are.
ENGINES: tuple[str, ...] = ("duckdb", "spark")
#: File types a folder or lake source reads through the engine.
FILE_SUFFIXES: tuple[str, ...] = (".csv", ".parquet")
#: DuckDB's buffer memory cap for file sources (it spills to disk beyond it).
DUCKDB_MEMORY_LIMIT = "1GB"


class EngineError(DataError):
    """The source cannot be reached or read; the message names it, its table and column."""


_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*):(?P<secret>[^@\s]*)@",
                           re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'[^']*'|\"[^\"]*\"|\S+)",
                               re.IGNORECASE)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every password removed: ``user:***@`` in URLs, ``password=***`` in
    connection strings, and any of ``secrets`` (the password itself, also URL-decoded) wherever
    it appears, e.g. in a driver's error message.
    """
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}:***@", str(text))
    text = _KEYWORD_PASSWORD.sub(lambda m: f"{m['head']}***", text)
    for secret in secrets:
        for form in {secret, unquote(secret)}:
            if form:
                text = text.replace(form, "***")
    return text


@dataclass(frozen=True)
class Source:
    """A parsed source spec.

    ``kind`` is ``folder``, ``parquet``, ``duckdb`` or ``postgres``; ``location`` the folder,
    glob or database file (for files) or the redacted URL (for PostgreSQL). ``options`` holds
    the connection settings (host, port, user, database, schema), never shown; the password
    is kept apart in ``password`` and left out of ``repr`` and :attr:`display`.
    """

    kind: Literal["folder", "parquet", "duckdb", "postgres"]
    location: str
    options: dict[str, Any] = field(default_factory=dict)
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The spec without its password, for messages and the run manifest."""
        return self.location

    @property
    def is_database(self) -> bool:
        return self.kind in ("duckdb", "postgres")


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def parse_source(spec: str | Path) -> Source:
    """Parse a source spec (see the module docstring); raises :class:`EngineError`."""
    text = str(spec).strip()
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ("postgresql", "postgres"):
        return _parse_postgres(text)
    if scheme == "duckdb":
        # duckdb:///data/shop.duckdb names data/shop.duckdb (relative, as in SQLAlchemy URLs)
        # or, when there is none, /data/shop.duckdb; duckdb:////data/shop.duckdb is absolute.
        rest = text.split("://", 1)[1]
        relative = rest.removeprefix("/")
        if not relative or relative == ":memory:":
            raise EngineError(f"{text}: name the database file, e.g. duckdb:///data/shop.duckdb")
        tried = [relative] if relative.startswith("/") else [relative, "/" + relative]
        found = next((p for p in tried if Path(p).is_file()), None)
        if found is None:
            raise EngineError(f"{text}: no DuckDB database file at {' or '.join(tried)}")
        return Source("duckdb", text, {"path": found})
    if scheme:
        raise EngineError(f"{redact(text)}: unsupported source; use a folder, a Parquet path or "
                          "glob, duckdb:///file.duckdb or postgresql://user@host:port/db")
    path = Path(text).expanduser()
    if path.is_dir():
        if not any(p.suffix.lower() in FILE_SUFFIXES for p in path.iterdir()):
            raise EngineError(f"{text}: the folder holds no .csv or .parquet file")
        if all(p.suffix.lower() == ".parquet" for p in path.iterdir() if p.is_file()) and not any(
                p.stem.lower() in _TABLE_NAMES for p in path.iterdir()):
            return Source("parquet", text, {"glob": str(path / "*.parquet")})
        return Source("folder", text, {"path": str(path)})
    if text.lower().endswith(".parquet") or _is_glob(text):
        if not glob.glob(str(path)):
            raise EngineError(f"{text}: no file matches")
        return Source("parquet", text, {"glob": str(path)})
    raise EngineError(f"{text}: no such folder or Parquet file")


def _parse_postgres(text: str) -> Source:
    parts = urlsplit(text)
    try:
        port = parts.port or 5432
    except ValueError:
        raise EngineError(f"{redact(text)}: the port is not a number") from None
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise EngineError(f"{redact(text)}: expected postgresql://user@host:port/database")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    password = unquote(parts.password) if parts.password is not None else None
    shown = redact(text, (parts.password,) if parts.password else ())
    options = {"host": parts.hostname, "port": port, "database": database,
               "user": unquote(parts.username) if parts.username else None,
               "schema": query.pop("schema", None)}
    if query:
        options["extra"] = query
    return Source("postgres", shown, options, password)


_TABLE_NAMES = ("transactions", "customers", "feedback", "events", "subscriptions", "campaigns")


@dataclass
class Connection:
    """An open source: the Ibis ``backend``, the parsed ``source`` and the ``engine`` name
    (``duckdb``, ``spark`` or ``postgres``). :meth:`table` opens one source table or file."""

    backend: Any
    source: Source
    engine: str
    _files: dict[str, Any] = field(default_factory=dict, repr=False)

    def table(self, ref: str):
        """The Ibis table ``ref`` names: a table (``schema.table`` allowed) in a database, or
        a file or glob (relative to the folder) for file sources. CSV columns are all read as
        text (ids keep their leading zeros); :mod:`workbench.engine.tables` casts them.
        """
        if self.source.is_database:
            return self._database_table(ref)
        return self._file_table(ref)

    def _database_table(self, ref: str):
        schema, _, name = ref.rpartition(".")
        schema = schema or self.source.options.get("schema")
        try:
            if schema:
                return self.backend.table(name, database=schema)
            return self.backend.table(name)
        except (TableNotFound, IbisError, psycopg.Error, duckdb.Error) as exc:
            if type(exc).__name__ not in ("TableNotFound", "UndefinedTable", "CatalogException",
                                          "InvalidSchemaName"):
                raise EngineError(redact(f"{self.source.display}: reading table {ref}: {exc}",
                                         self._secrets)) from None
            where = f"{schema}.{name}" if schema else name
            known = ", ".join(sorted(self.list_tables(schema))[:20]) or "none"
            raise EngineError(f"{self.source.display}: table {where} not found "
                              f"(tables there: {known})") from None

    def list_tables(self, schema: str | None = None) -> list[str]:
        """Table names in ``schema`` (the source's default when None); [] if unreadable."""
        try:
            if self.engine == "duckdb":
                # Ibis 12's DuckDB list_tables calls a method DuckDB 2 removed: ask directly.
                rows = self.backend.con.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = coalesce(?, current_schema())", [schema]).fetchall()
                return [row[0] for row in rows]
            if schema:
                return list(self.backend.list_tables(database=schema))
            return list(self.backend.list_tables())
        except (IbisError, psycopg.Error, duckdb.Error):  # a missing schema lists nothing
            return []

    def _file_table(self, ref: str):
        base = Path(self.source.options.get("path", "."))
        pattern = ref if Path(ref).is_absolute() else str(base / ref)
        key = pattern
        if key in self._files:
            return self._files[key]
        paths = sorted(glob.glob(pattern))
        if not paths:
            raise EngineError(f"{self.source.display}: no file {ref}")
        suffixes = {Path(p).suffix.lower() for p in paths}
        if len(suffixes) > 1 or suffixes - set(FILE_SUFFIXES):
            raise EngineError(f"{self.source.display}: {ref} must match only .csv or only "
                              f".parquet files, got {', '.join(sorted(suffixes))}")
        table = (self._read_parquet(paths) if suffixes == {".parquet"}
                 else self._read_csv(paths))
        self._files[key] = table
        return table

    def _read_parquet(self, paths: list[str]):
        if self.engine == "spark":
            return self.backend.read_parquet(paths if len(paths) > 1 else paths[0])
        return self.backend.read_parquet(paths)

    def _read_csv(self, paths: list[str]):
        if self.engine == "spark":
            # Every column as text, as the DuckDB path: the canonical types are cast in Ibis
            # (workbench.engine.tables), identically on both engines.
            return self.backend.read_csv(paths, header=True, inferSchema=False,
                                         encoding="UTF-8")
        return self.backend.read_csv(paths, all_varchar=True)

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self.source.password,) if self.source.password else ()

    def close(self) -> None:
        """Close the backend (a Spark session is left running for the next connection)."""
        if self.engine in ("duckdb", "postgres"):
            with contextlib.suppress(IbisError, psycopg.Error, duckdb.Error):  # already closed
                self.backend.disconnect()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(spec: str | Path | Source, engine: str = "duckdb", *,
            spark: dict[str, str] | None = None,
            memory_limit: str = DUCKDB_MEMORY_LIMIT) -> Connection:
    """Open ``spec`` (a source spec or a parsed :class:`Source`) for aggregation.

    ``engine`` chooses where file sources aggregate: ``duckdb`` (default, in memory, its
    buffers capped at ``memory_limit`` beyond which it spills to disk, e.g. ``"4GB"``) or
    ``spark`` (``spark`` holds ``spark.master`` / ``spark.remote`` and other Spark settings,
    see :func:`workbench.engine.spark.spark_session`). Database sources aggregate in their
    database and refuse ``engine="spark"``. Raises :class:`EngineError` with a message that
    names the source and never its password.
    """
    source = spec if isinstance(spec, Source) else parse_source(spec)
    if engine not in ENGINES:
        raise EngineError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if source.is_database and engine == "spark":
        raise EngineError(f"{source.display}: a database source aggregates in its database; "
                          "--engine spark is for folders and Parquet sources")
    if source.kind == "postgres":
        return Connection(_connect_postgres(source), source, "postgres")
    if source.kind == "duckdb":
        try:
            backend = ibis.duckdb.connect(source.options["path"], read_only=True)
        except (duckdb.Error, IbisError) as exc:  # a locked or corrupt file
            raise EngineError(f"{source.display}: cannot open the database: {exc}") from None
        return Connection(backend, source, "duckdb")
    if engine == "spark":
        from workbench.engine.spark import spark_backend

        return Connection(spark_backend(spark), source, "spark")
    backend = ibis.duckdb.connect(memory_limit=memory_limit, preserve_insertion_order=False)
    return Connection(backend, source, "duckdb")


def _connect_postgres(source: Source):
    opts = source.options
    where = f"{opts['host']}:{opts['port']}"
    try:
        return ibis.postgres.connect(host=opts["host"], port=opts["port"], user=opts["user"],
                                     password=source.password, database=opts["database"],
                                     connect_timeout=10, **opts.get("extra", {}))
    except psycopg.Error as exc:  # OperationalError: refused, wrong password, no database
        detail = " ".join(str(exc).split())
        secrets = (source.password,) if source.password else ()
        if "password authentication failed" in detail or "no password supplied" in detail:
            reason = (f"PostgreSQL at {where} refused the login of user {opts['user']!r}: "
                      "wrong or missing password")
        elif "Connection refused" in detail:
            reason = (f"cannot reach PostgreSQL at {where}: connection refused (is the server "
                      "running, and listening on that host and port?)")
        elif "does not exist" in detail and "database" in detail:
            reason = f"PostgreSQL at {where} has no database {opts['database']!r}"
        elif "timeout" in detail.lower() or "could not translate host name" in detail:
            reason = f"cannot reach PostgreSQL at {where}: {detail}"
        else:
            reason = f"cannot connect to PostgreSQL at {where}: {detail}"
        raise EngineError(redact(f"{source.display}: {reason}", secrets)) from None
