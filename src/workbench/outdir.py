"""A run's output folder is replaced whole, or not at all.

``workbench run`` builds every output of a run in a staging folder beside ``OUTDIR``
(``.<name>.staging-XXXX``) and swaps it in only when the run has finished. Killed or failed at
any point before that, the previous run in ``OUTDIR`` stays whole and readable; the stale
staging folder is removed by the next run.

The swap is one atomic ``renameat2(RENAME_EXCHANGE)`` on Linux. Where the system lacks it, the
old folder is first renamed to ``.<name>.previous`` and the new one renamed into place; a run
killed between those two renames leaves the previous run whole under that name, and the next
run (or any ``workbench run`` into the same folder) puts it back before doing anything else.

Two runs into the same ``OUTDIR`` at the same time would race; a lock file beside it
(``.<name>.lock``) makes the second one stop with a clear message.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.safety import usual_mode

__all__ = ["OutdirError", "staged_output"]

#: A file only a finished ``workbench run`` writes: a folder holding it is a run of ours.
RUN_MARKER = "manifest.json"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class OutdirError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def _sibling(out: Path, what: str) -> Path:
    return out.parent / f".{out.name}.{what}"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                     _RENAME_EXCHANGE) == 0


def _recover(out: Path) -> None:
    """Put back a previous run left aside by a swap that was interrupted."""
    previous = _sibling(out, "previous")
    if previous.is_dir():
        if out.exists():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.rename(previous, out)


def _remove_stale_staging(out: Path) -> None:
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _check_is_run_folder(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise OutdirError(f"{out} is a file, not a folder; give a folder for the reports")
    entries = sorted(p.name for p in out.iterdir())
    if entries and RUN_MARKER not in entries:
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise OutdirError(
            f"{out} holds files that are not from a workbench run ({shown}). A run replaces "
            "its output folder whole, so give an empty folder or one a previous run wrote.")


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return  # staging now holds the previous run; the caller removes it
    previous = _sibling(out, "previous")
    shutil.rmtree(previous, ignore_errors=True)
    os.rename(out, previous)
    os.rename(staging, out)
    shutil.rmtree(previous, ignore_errors=True)


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a fresh staging folder for a run into ``out``; swap it in when the block ends.

    If the block raises (or the process dies), ``out`` is left as it was. Folders and files
    get the usual permissions under the umask.
    """
    import fcntl

    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = _sibling(out, "lock")
    with open(lock_path, "a", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutdirError(f"another workbench run is writing to {out}; wait for it to "
                              "finish") from None
        _recover(out)
        _check_is_run_folder(out)
        _remove_stale_staging(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
        try:
            os.chmod(staging, usual_mode(directory=True))
            yield staging
            _swap_in(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
