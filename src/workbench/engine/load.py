"""Load any source into a :class:`workbench.io.Dataset`, the loading rules running in the engine.

:func:`load_source` takes a folder, a Parquet path or glob, ``duckdb:///file.duckdb`` or
``postgresql://...``.
"""

from __future__ import annotations

from pathlib import Path
from workbench.engine.sources import EngineError, parse_source
from workbench.io import Dataset, load_dataset

__all__ = ["load_source"]


def load_source(spec: str | Path, *, mapping: str | Path | None = None, engine: str = "duckdb",
                spark: dict[str, str] | None = None,
                memory_limit: str | None = None) -> Dataset:
    """Load the source ``spec`` into canonical frames and a quality report."""
    source = parse_source(spec)
    if source.kind == "folder":
        return load_dataset(source.options["path"], mapping=mapping)
    raise EngineError(f"{source.display}: only folders are loaded so far")

