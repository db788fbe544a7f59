"""Shared harness of the benchmarks that run ``lifetimes`` side by side with ours.

Each benchmark script runs its tools as ``--worker`` subprocesses (so every tool's time and
memory are its own) and uses this module for the lifetimes venv, the worker runner and the
/proc-based memory and CPU probes.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = HERE / "_data"
LIFETIMES_VENV = HERE / ".venv-lifetimes"
LIFETIMES_REQ = ["lifetimes==0.11.3", "scipy", "setuptools<82"]


def run_worker(script: str | Path, python: Path | str, *args: str) -> dict:
    """Run ``script --worker args`` with ``python``; its last stdout line is JSON.

    Returns that JSON plus ``process_wall_s``, the wall time of the whole process.
    """
    t0 = time.perf_counter()
    proc = subprocess.run([str(python), str(Path(script).resolve()), "--worker", *args],
                          check=False, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker {args[0]} failed with exit code {proc.returncode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    return result


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else float("nan")


def _hwm_mb() -> float:
    """Peak RSS of this process since start or since the last :func:`_reset_hwm`."""
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kb / 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process (DuckDB's too)
    return r.ru_utime + r.ru_stime


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _reset_hwm() -> bool:
    """Reset VmHWM to the current RSS (``echo 5 > /proc/self/clear_refs``, Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line
# --------------------------------------------------------------------------------------------

def ensure_lifetimes_venv() -> Path:
    python = LIFETIMES_VENV / "bin" / "python"
    check = [str(python), "-c", "import lifetimes, pandas, pyarrow, scipy"]
    if python.exists() and subprocess.run(check, check=False, capture_output=True).returncode == 0:
        return python
    from importlib.metadata import version

    # Same pandas / NumPy / pyarrow as the project's venv, so only the algorithm differs.
    req = LIFETIMES_REQ + [f"{p}=={version(p)}" for p in ("pandas", "numpy", "pyarrow")]
    print(f"creating {LIFETIMES_VENV.relative_to(ROOT)} with {' '.join(req)} ...", flush=True)
    t0 = time.perf_counter()
    uv = Path(sys.executable).parent / "uv"
    uv = str(uv) if uv.exists() else shutil.which("uv")
    if uv:
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(LIFETIMES_VENV)],
                       check=True)
        subprocess.run([uv, "pip", "install", "-q", "--python", str(python), *req], check=True)
    else:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(LIFETIMES_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        *req], check=True)
    subprocess.run(check, check=True)
    print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    return python
