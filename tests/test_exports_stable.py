"""Exports carry stable codes: the same file in an English and a Chinese run differs only in
its ``*_label`` columns, so a campaign tool keyed on a code does not break with the language."""

import pandas as pd
import pytest

from workbench.results import CUSTOMER_COLUMNS


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_every_export_is_identical_across_languages_but_for_labels(rendered):
    en_dir, zh_dir = rendered["en"] / "exports", rendered["zh"] / "exports"
    names = sorted(p.name for p in en_dir.glob("*.csv"))
    assert names == sorted(p.name for p in zh_dir.glob("*.csv"))
    assert "customers.csv" in names
    for name in names:
        en, zh = _read(en_dir / name), _read(zh_dir / name)
        assert list(en.columns) == list(zh.columns), name
        codes = [c for c in en.columns if not c.endswith("_label")]
        differing = [c for c in codes if not en[c].equals(zh[c])]
        assert differing == [], (name, differing)


def test_label_columns_are_in_the_report_language(rendered):
    en = _read(rendered["en"] / "exports" / "customers.csv")
    zh = _read(rendered["zh"] / "exports" / "customers.csv")
    labels = [c for c in en.columns if c.endswith("_label")]
    assert {"segment_cn8_label", "stage_label"} <= set(labels)
    for column in labels:
        filled = en[column] != ""
        if filled.any():
            assert not en.loc[filled, column].equals(zh.loc[filled, column]), column


def test_customers_csv_has_one_row_per_customer_with_every_result(rendered, tiny_demo):
    table = _read(rendered["en"] / "exports" / "customers.csv")
    customers = pd.read_csv(tiny_demo / "customers.csv", dtype=str)
    tx = pd.read_csv(tiny_demo / "transactions.csv", dtype=str)
    expected = set(customers["customer_id"]) | set(tx["customer_id"])
    assert table["customer_id"].is_unique and set(table["customer_id"]) == expected
    assert {"customer_id", *CUSTOMER_COLUMNS} <= set(table.columns)
    for column in ("segment_cn8", "stage", "clv", "churn_probability", "next_best_offer"):
        assert (table[column] != "").any(), column  # every analysis ran on the tiny demo


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_customers_csv_agrees_with_the_domain_exports(rendered, lang):
    out = rendered[lang] / "exports"
    table = _read(out / "customers.csv").set_index("customer_id")
    segments = _read(out / "segmentation.csv").set_index("customer_id")
    stages = _read(out / "lifecycle.csv").set_index("customer_id")
    assert (table.loc[segments.index, "segment_cn8"] == segments["segment_cn8"]).all()
    assert (table.loc[stages.index, "stage"] == stages["stage"]).all()
