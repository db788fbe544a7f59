"""CSV text formatted by pyarrow, block by block, with the bytes of ``DataFrame.to_csv``.

pandas' writer formats and quotes every value in Python (32 MB/s here on exports like the
recommendations, 57 MB/s with this module): the 1M-customer suite spent 72 s in it for its
1.6 GB of exports. Here each column becomes
Arrow text once per block of rows (numbers through NumPy exactly as pandas formats them,
text quoted where the csv module would quote it), the rows are joined by Arrow, and the
block's bytes are written as they are. The output is byte for byte that of
``frame.to_csv(index=False, lineterminator="\\n", float_format=...)``; a column whose dtype this
module does not format the way pandas does is refused by :func:`supported`, and the caller
writes the frame with pandas instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["CSV_CHUNK_ROWS", "FORMULA_START", "csv_field", "supported", "write_rows"]

#: Rows formatted at a time by :func:`write_rows`.
CSV_CHUNK_ROWS = 1 << 20

#: The first characters that make a spreadsheet run a cell as a formula (OWASP CSV injection),
#: for this module and :func:`workbench.safety.neutralise_formulas`.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = "^[" + "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_START) + "]"


def _is_text(values: pd.Series) -> bool:
    """A pandas string column, or an object column holding only str and missing values."""
    if isinstance(values.dtype, pd.StringDtype):
        return True
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in (
        "string", "empty")


def _is_nullable_int(dtype: object) -> bool:
    """pandas' nullable integers (``Int64``, ``UInt8``, ...): pandas writes them as integers,
    a missing value blank."""
    return isinstance(dtype, pd.api.extensions.ExtensionDtype) and \
        pd.api.types.is_integer_dtype(dtype) and getattr(dtype, "storage", None) != "pyarrow"


def _dates_only(stamps: np.ndarray) -> bool:
    """Every present value of a datetime64 array is a midnight (pandas then writes
    ``YYYY-MM-DD``)."""
    per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(stamps.dtype)[0])
    return not np.any(stamps[~np.isnat(stamps)].view("i8") % per_day)


def _dates_text(values: pd.Series) -> pa.Array:
    """A tz-naive datetime column of midnights (:func:`_dates_only`) as pandas writes it,
    ``YYYY-MM-DD``, missing values blank. Raises TypeError for times of day, which pandas
    would write (:func:`supported` leaves such a column to pandas)."""
    stamps = values.to_numpy()
    if not _dates_only(stamps):
        raise TypeError("a datetime column with times of day")
    text = np.datetime_as_string(stamps, unit="D")
    return pa.array(np.where(np.isnat(stamps), "", text), pa.string())


def supported(frame: pd.DataFrame) -> bool:
    """Whether :func:`write_rows` writes every column of ``frame`` exactly as pandas does.

    Numbers (bool, int, float with NumPy dtypes; pandas' nullable integers), text (string dtype, or objects that are all
    str) and tz-naive dates at midnight are; anything else (categories, nullable integers,
    times of day, mixed objects) is not, nor are repeated column names or a column index with
    levels. A single column is not either: the csv module writes an empty only field as ``""``.
    """
    columns = frame.columns
    if frame.shape[1] < 2 or isinstance(columns, pd.MultiIndex) or columns.has_duplicates:
        return False
    for name in columns:
        values = frame[name]
        dtype = values.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biuf" or _is_nullable_int(dtype):
            continue
        if isinstance(dtype, np.dtype) and dtype.kind == "M":
            if not _dates_only(values.to_numpy()):
                return False
            continue
        if not _is_text(values):
            return False
    return True


def csv_field(values: object, float_format: str | None = None, *,
              neutralise: bool = False) -> pa.Array:
    """One column as CSV text, exactly as ``DataFrame.to_csv`` writes it (QUOTE_MINIMAL).

    A pyarrow array is taken as CSV text already. With ``neutralise`` a text value that a
    spreadsheet would run as a formula gets a leading apostrophe first, as
    :func:`workbench.safety.neutralise_formulas` does.
    """
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if isinstance(values, pd.Series) and isinstance(values.dtype, np.dtype) \
            and values.dtype.kind == "M":
        return _dates_text(values)
    if isinstance(values, pd.Series) and _is_nullable_int(values.dtype):
        return pc.cast(pa.array(values.array), pa.string()).fill_null("")
    if isinstance(values, pd.Series) and getattr(values.dtype, "storage", None) == "pyarrow" \
            and values.dtype.kind in "OU":  # str or string: its Arrow text as it is
        return _quoted(pa.array(values.array).cast(pa.string()).fill_null(""), neutralise)
    if isinstance(values, pd.Series) and not isinstance(values.dtype, np.dtype):
        values = values.to_numpy(dtype=object, na_value="")  # str, string, category
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return pc.if_else(pa.array(arr), "True", "False")
    if arr.dtype.kind in "iu":
        return pc.cast(pa.array(arr), pa.string())
    if arr.dtype.kind == "f":
        cents = np.rint(arr * 100.0)
        if float_format == "%.2f" and np.array_equal(cents / 100.0, arr):
            whole = np.abs(cents).astype(np.int64)
            sign = pc.if_else(pa.array(np.signbit(arr)), "-", "")
            return pc.binary_join_element_wise(
                sign, pc.cast(pa.array(whole // 100), pa.string()), ".",
                pc.utf8_lpad(pc.cast(pa.array(whole % 100), pa.string()), 2, "0"), "")
        if float_format:
            text = np.char.mod(float_format, arr)
        elif arr.dtype == np.float64:  # Python's repr is NumPy's str of a float64, twice as fast
            text = np.array(list(map(repr, arr.tolist())), dtype=object)
        else:
            text = arr.astype(str)
        return pa.array(text, pa.string(), mask=np.isnan(arr)).fill_null("")
    if arr.dtype.kind not in "OU":
        raise TypeError(f"no CSV text for dtype {arr.dtype}")
    return _quoted(pa.array(arr, pa.string(), from_pandas=True).fill_null(""), neutralise)


def _quoted(text: pa.Array | pa.ChunkedArray, neutralise: bool = False) -> pa.Array:
    """Text values as CSV fields: quoted (quotes doubled) where they need it."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if neutralise:
        risky = pc.match_substring_regex(text, _FORMULA)
        if pc.any(risky).as_py():
            text = pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)
    quote = pc.match_substring_regex(text, r'[,"\n]')  # Python 3.11's csv leaves \r bare
    if not pc.any(quote).as_py():
        return text
    quoted = pc.binary_join_element_wise(
        '"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(quote, quoted, text)


def write_rows(handle: IO[bytes], columns: Mapping[str, object],
               float_format: str | None = None, *, neutralise: bool = False) -> None:
    """Write the header and the rows of ``columns`` (name -> Series, array or Arrow text) to
    the binary ``handle`` as UTF-8 CSV lines ending in ``\\n``, :data:`CSV_CHUNK_ROWS` rows
    at a time; ``neutralise`` as for :func:`csv_field`."""
    n = len(next(iter(columns.values()))) if columns else 0
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(columns)
    handle.write(header.getvalue().encode("utf-8"))
    for lo in range(0, n, CSV_CHUNK_ROWS):
        hi = lo + CSV_CHUNK_ROWS
        fields = [csv_field(v.iloc[lo:hi] if isinstance(v, pd.Series) else v[lo:hi],
                            float_format, neutralise=neutralise) for v in columns.values()]
        lines = pc.binary_join_element_wise(*fields, ",")
        lines = pc.binary_join_element_wise(lines, "", "\n")
        for chunk in getattr(lines, "chunks", [lines]):
            _, offsets, data = chunk.buffers()
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            ends = np.frombuffer(offsets, dtype=width)[
                [chunk.offset, chunk.offset + len(chunk)]]
            handle.write(memoryview(data)[ends[0]:ends[1]])
