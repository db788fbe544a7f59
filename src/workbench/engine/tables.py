"""Canonical tables on any source: the mapping's ``tables:`` and ``columns:`` sections, in Ibis.

The mapping (``mapping.yaml``, or any file given with ``--mapping``) gains a ``tables:``
section naming the source table or file of each canonical table::

    tables:
      transactions: dw.fact_orders      # schema.table in a database
      customers: crm.customer
    transactions:
      columns: {客户编号: customer_id, 下单时间: order_date, 实付金额: amount}

For a folder the names are file names or globs (``orders_2024_*.parquet``) inside it. Without
an entry a table is found under its canonical name (``transactions``), or for folders under any
file alias of :data:`workbench.schema.FILE_ALIASES`; a Parquet source is the transactions.

Columns are renamed as the loader does: the mapping's ``columns:`` (global, then the table's
own section), then the canonical name, then the known aliases (case-insensitive). Types are
cast to the canonical kind in the expression (ids and text to string, dates to timestamp,
amounts from text to ``DECIMAL(18, 4)``), so every engine sees the same values. A missing
table or column is an :class:`~workbench.engine.sources.EngineError` naming the table, the
column and the columns the table has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from workbench.engine.sources import FILE_SUFFIXES, Connection, EngineError
from workbench.schema import FILE_ALIASES, TABLES, Table

__all__ = ["AMOUNT_TYPE", "canonical_table", "read_mapping", "resolve_tables", "source_ref"]

#: Amounts read from text are cast to this exact type (4 decimals, as the DuckDB summary).
AMOUNT_TYPE = dt.Decimal(18, 4)

def read_mapping(path: str | Path | None) -> dict[str, Any]:
    """The mapping file at ``path`` (``{}`` for None), read as the folder loader reads it
    (:func:`workbench.io._read_mapping`: its encoding detected, every section's shape checked)
    and its ``tables:`` section checked; ``_path`` holds the file's path.

    Raises :class:`EngineError` naming the file for a missing file, invalid YAML, an unknown
    or malformed section, a ``tables:`` entry that is not ``table: name`` or names an unknown
    canonical table.
    """
    if path is None:
        return {}
    from workbench.io import DataError, _read_mapping

    path = Path(path)
    try:
        loaded = _read_mapping(Path("."), path)
    except EngineError:
        raise
    except DataError as exc:
        raise EngineError(str(exc)) from None
    tables = loaded.get("tables") or {}
    if not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values()):
        raise EngineError(f"{path}: 'tables' must map each canonical table to a source table "
                          "or file, e.g.\ntables:\n  transactions: dw.fact_orders")
    bad = [str(k) for k in tables if k not in TABLES]
    if bad:
        raise EngineError(f"{path}: 'tables: {bad[0]}' is not a table; the tables are "
                          f"{', '.join(TABLES)}")
    return loaded


def source_ref(conn: Connection, table: str, mapping: dict[str, Any]) -> str | None:
    """The source table or file of canonical ``table``, or None when the source has none."""
    named = (mapping.get("tables") or {}).get(table)
    if named:
        return str(named)
    kind = conn.source.kind
    if kind == "parquet":
        return conn.source.options["glob"] if table == "transactions" else None
    if kind == "folder":
        folder = Path(conn.source.options["path"])
        files = {name: str(tb) for name, tb in (mapping.get("files") or {}).items()}
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in FILE_SUFFIXES:
                continue
            if files.get(path.name) == table or (
                    path.name not in files
                    and path.stem.lower() in (table, *FILE_ALIASES.get(table, ()))):
                return path.name
        return None
    existing = {name.lower(): name for name in conn.list_tables(conn.source.options.get("schema"))}
    return existing.get(table)


def _explicit(table: Table, mapping: dict[str, Any]) -> dict[str, str]:
    """Source column -> canonical column that the mapping states for ``table``."""
    out: dict[str, str] = {}
    section = mapping.get(table.name) or {}
    for columns in (mapping.get("columns") or {}, section.get("columns") or {}):
        out.update({str(src).strip(): str(dst).strip() for src, dst in columns.items()})
    return out


def canonical_table(conn: Connection, table: str, mapping: dict[str, Any] | None = None,
                    *, ref: str | None = None) -> ibis.Table:
    """Canonical ``table`` (``transactions``, ``customers`` ...) of the source, as Ibis.

    Columns get their canonical names and types; columns the canonical table does not know are
    dropped (kept, with their own names, for tables that keep extra columns). Raises
    :class:`EngineError` when the source table is missing or lacks a required column.
    """
    if table not in TABLES:
        raise EngineError(f"{table!r} is not a table; the tables are {', '.join(TABLES)}")
    schema = TABLES[table]
    mapping = mapping or {}
    ref = ref or source_ref(conn, table, mapping)
    where = conn.source.display
    if ref is None:
        raise EngineError(f"{where}: no {table} table (name it in the mapping, e.g. "
                          f"'tables: {{{table}: my_schema.my_table}}')")
    explicit = _explicit(schema, mapping)
    raw = conn.table(ref)
    columns = list(raw.columns)
    chosen = _choose_columns(schema, explicit, columns)
    label = f"{where}: table {ref} ({table})"
    missing = [c for c in schema.required if c not in chosen]
    if missing:
        col = missing[0]
        named = [src for src, dst in explicit.items() if dst == col]
        hint = (f"the mapping names {', '.join(named)} for it, which is not there; "
                if named else "")
        raise EngineError(f"{label}: no column for {col}; {hint}the table's columns are "
                          f"{', '.join(columns)}. Map one with 'columns: {{<column>: {col}}}'")
    selected = {name: _cast(raw[src], schema[name].kind, name) for name, src in chosen.items()}
    if schema.keep_extra_columns:
        used = set(chosen.values())
        selected.update({c: raw[c] for c in columns if c not in used and c not in selected})
    return raw.select(**selected)


def _choose_columns(schema: Table, explicit: dict[str, str], columns: list[str]) -> dict[str, str]:
    """Canonical name -> source column, in the loader's order of precedence."""
    lowered = {c.strip().lower(): c for c in columns}
    chosen: dict[str, str] = {}
    for col in schema.columns:
        by_mapping = [src for src, dst in explicit.items() if dst == col.name and src in columns]
        if by_mapping:
            chosen[col.name] = by_mapping[0]
        elif col.name in columns:
            chosen[col.name] = col.name
        else:
            for alias in col.aliases:
                if alias.lower() in lowered and lowered[alias.lower()] not in chosen.values():
                    chosen[col.name] = lowered[alias.lower()]
                    break
    return chosen


def _cast(column: ibis.Value, kind: str, name: str) -> ibis.Value:
    """``column`` as the canonical ``kind`` (amounts keep exact decimals)."""
    dtype = column.type()
    if kind in ("id", "string"):
        return column if dtype.is_string() else column.cast("string")
    if kind == "datetime":
        return column if dtype.is_timestamp() else column.cast("timestamp")
    if kind in ("float", "int", "score"):
        if name == "amount":
            if dtype.is_decimal() or dtype.is_floating():
                return column
            return column.cast(AMOUNT_TYPE)
        return column if dtype.is_numeric() else column.cast("float64")
    return column


def resolve_tables(conn: Connection, mapping: dict[str, Any] | None = None,
                   tables: tuple[str, ...] | None = None) -> dict[str, ibis.Table]:
    """Every canonical table the source has (or exactly ``tables``, each then required)."""
    mapping = mapping or {}
    names = tables or TABLES
    out: dict[str, ibis.Table] = {}
    for name in names:
        ref = source_ref(conn, name, mapping)
        if ref is None and tables is None:
            continue
        out[name] = canonical_table(conn, name, mapping, ref=ref)
    return out
