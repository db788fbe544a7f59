"""Shared fixtures: small data written in the test, and the public reference data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
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
