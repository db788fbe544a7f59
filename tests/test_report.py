"""The notebook helpers: safe tables and plain-JSON metrics."""

import json

import numpy as np
import pandas as pd

from tests.conftest import write_csv
from workbench import report


def _ctx(tmp_path, lang="en"):
    data = tmp_path / "data"
    write_csv(data / "transactions.csv", "customer_id,order_date,amount\nA,2024-01-01,1\n")
    return report.start("overview", data_dir=data, lang=lang, output_dir=tmp_path / "out")


def test_table_masks_escapes_and_formats(tmp_path):
    ctx = _ctx(tmp_path)
    frame = pd.DataFrame({
        "name": ["王小明"], "label": ["重要价值客户"], "comment": ["<b>hi</b> 13912345678"],
        "customers": [12345], "revenue_share": [0.1234], "monetary": [1234.5], "ok": [True],
    })
    html = ctx.table_html(frame, headers={"label": "seg.col.segment"})
    assert "王**" in html and "王小明" not in html  # a column called name is personal data
    assert "重要价值客户" in html  # a label is not
    assert "&lt;b&gt;hi&lt;/b&gt; 139****5678" in html and "<b>hi</b>" not in html
    assert "12,345" in html and "12.3%" in html and "1,234.50" in html
    assert "<th>Segment</th>" in html
    long = ctx.table_html(pd.DataFrame({"x": range(40)}), max_rows=5)
    assert "40 rows; the first 5 are shown." in long


def test_the_truncation_note_is_in_the_report_language(tmp_path):
    long = _ctx(tmp_path, "zh").table_html(pd.DataFrame({"x": range(1200)}), max_rows=5)
    assert "共 1,200 行，显示前 5 行。" in long and "rows" not in long


def test_metrics_are_plain_json(tmp_path):
    ctx = _ctx(tmp_path)
    returned = ctx.save_metrics({"n": np.int64(3), "x": np.float64(0.5), "nan": float("nan"),
                                 "day": pd.Timestamp("2024-01-05"), "flag": np.bool_(True)})
    assert returned is None  # nothing for a notebook cell to echo
    path = tmp_path / "out" / "metrics" / "overview.json"
    assert json.loads(path.read_text()) == {"n": 3, "x": 0.5, "nan": None, "day": "2024-01-05",
                                            "flag": True}


def test_start_defaults_as_of_to_last_date_and_checks_lang(tmp_path):
    ctx = _ctx(tmp_path)
    assert ctx.as_of == pd.Timestamp("2024-01-01") and ctx.interactive
    try:
        report.start("overview", data_dir=tmp_path / "data", lang="fr")
    except ValueError as exc:
        assert "lang must be 'en' or 'zh'" in str(exc)
    else:
        raise AssertionError("lang='fr' was accepted")
