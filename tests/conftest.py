"""Shared fixtures: small data written in the test, and the public reference data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _one_openmp_thread_per_worker():
    """pytest-xdist runs one worker per core: OpenMP threads beyond that busy-wait."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            yield
    else:
        yield
EXTERNAL = ROOT / "data" / "external"


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(scope="session")
def cdnow_transactions() -> pd.DataFrame:
    """CDNOW 1/10 sample as canonical transactions (one row per line of the file)."""
    raw = pd.read_csv(
        EXTERNAL / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["master_id", "customer_id", "date", "cds", "amount"],
        dtype={"customer_id": str, "date": str, "master_id": str},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].str.zfill(4),
            "order_id": raw.index.astype(str),
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["amount"].astype(float),
            "quantity": raw["cds"].astype(float),
        }
    )


XSS = "<script>window.__xss=1</script>"
PLANTED_PHONE = "13812345678"
PLANTED_EMAIL = "li.lei@example.com"
PLANTED_ID_CARD = "11010119900307123X"


def _shared(tmp_path_factory, name: str, build) -> Path:
    """A folder built once per test session and shared by every pytest-xdist worker.

    The first worker to ask builds it under a file lock; the others wait and reuse it, so an
    expensive fixture (the whole report suite) is not rebuilt on each core.
    """
    return _shared_each(tmp_path_factory, {name: build})[name]


def _build_tiny_demo(folder: Path) -> None:
    from workbench.demo import generate_demo

    generate_demo(folder, customers=300, seed=3)
    tx = pd.read_csv(folder / "transactions.csv", dtype=str, keep_default_na=False)
    planted = tx["channel"] == tx["channel"].iloc[0]
    tx.loc[planted, "channel"] = XSS
    tx.loc[tx.index[-40:], "channel"] = f"VIP {PLANTED_PHONE} {PLANTED_EMAIL} {PLANTED_ID_CARD}"
    tx.to_csv(folder / "transactions.csv", index=False)


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory) -> Path:
    """A 300-customer demo dataset with a script tag and personal data planted in it."""
    return _shared(tmp_path_factory, "tiny_demo", _build_tiny_demo)


def _shared_each(tmp_path_factory, builds: dict[str, Any]) -> dict[str, Path]:
    """Like :func:`_shared` for several folders: a worker first builds any folder no other
    worker is building, then waits for the rest, so two workers asking at once build two
    folders side by side instead of one waiting for the other."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    pending = list(builds)
    for blocking in (False, True):
        for name in list(pending):
            with open(root / f"shared_{name}.lock", "w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
                except BlockingIOError:  # another worker is building it
                    continue
                if not (root / f"shared_{name}.done").exists():
                    folder = root / f"shared_{name}"
                    shutil.rmtree(folder, ignore_errors=True)
                    folder.mkdir()
                    builds[name](folder)
                    (root / f"shared_{name}.done").touch()
                pending.remove(name)
    return {name: root / f"shared_{name}" for name in builds}


@pytest.fixture(scope="session")
def rendered(tiny_demo, tmp_path_factory) -> dict[str, Path]:
    """The report suite rendered once per language on the tiny demo (shared by the workers;
    two workers asking at once render one language each)."""
    from workbench.cli import main

    def build(lang: str) -> Any:
        def run(folder: Path) -> None:
            code = main(["run", "--data", str(tiny_demo), "--out", str(folder / lang),
                         "--lang", lang, "--quiet", "--jobs", "2"])
            assert code == 0, f"workbench run --lang {lang} exited {code}"

        return run

    folders = _shared_each(tmp_path_factory, {f"rendered_{lang}": build(lang)
                                              for lang in ("en", "zh")})
    return {lang: folders[f"rendered_{lang}"] / lang for lang in ("en", "zh")}


def _build_full_demo(folder: Path) -> None:
    from workbench.demo import generate_demo

    generate_demo(folder, customers=20_000, seed=0, campaigns=False)


@pytest.fixture(scope="session")
def full_demo(tmp_path_factory):
    """The default-size demo (20,000 customers, seed 0, no campaigns: the BTYD truth) and its
    loaded dataset; the files are written once for all workers."""
    from workbench.io import load_dataset

    folder = _shared(tmp_path_factory, "full_demo", _build_full_demo)
    return folder, load_dataset(folder)


def _build_saas_demo(folder: Path) -> None:
    from workbench.demo_saas import generate_saas_demo

    generate_saas_demo(folder, accounts=2000, seed=0)


@pytest.fixture(scope="session")
def saas_demo(tmp_path_factory) -> Path:
    """The default-size SaaS demo (2,000 accounts, seed 0), written once for all workers."""
    return _shared(tmp_path_factory, "saas_demo", _build_saas_demo)
