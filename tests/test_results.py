"""Shared per-customer results: typed, checked against their schema, labelled for exports."""

import pandas as pd
import pytest

from workbench import registry
from workbench.results import (
    RESULTS,
    ResultError,
    customer_labels,
    customer_table,
    read_result,
    with_labels,
    write_result,
)


def test_every_produced_result_has_a_schema_and_one_producer():
    produced = [name for report in registry.REPORTS for name in report.produces]
    assert sorted(produced) == sorted(RESULTS)  # each result produced by exactly one report


def _segments(**override):
    frame = pd.DataFrame({"customer_id": ["001", "002"], "recency_days": [3, 40],
                          "frequency": [5, 1], "monetary": [500.5, 20.0], "r_score": [5, 1],
                          "f_score": [5, 1], "m_score": [5, 1],
                          "segment_cn8": ["important_value", "general_winback"],
                          "segment_en11": ["champions", "lost"], "value_tier": ["A", "C"],
                          "cluster": [0, 1], "persona": ["bargain_hunter", "bargain_hunter"]})
    return frame.assign(**override)


def test_write_and_read_keep_types_and_leading_zeros(tmp_path):
    write_result("segments", _segments(extra=1), tmp_path)
    back = read_result("segments", tmp_path)
    assert list(back.columns) == list(RESULTS["segments"].columns)  # extra column dropped
    assert back["customer_id"].tolist() == ["001", "002"]
    assert str(back["frequency"].dtype) == "Int64"
    assert read_result("clv", tmp_path) is None


def test_a_result_missing_a_column_or_repeating_a_customer_is_refused(tmp_path):
    with pytest.raises(ResultError, match="lacks column.*persona"):
        write_result("segments", _segments().drop(columns="persona"), tmp_path)
    with pytest.raises(ResultError, match="repeated customer_id"):
        write_result("segments", _segments(customer_id=["001", "001"]), tmp_path)
    with pytest.raises(ResultError, match="no result named 'nope'"):
        write_result("nope", _segments(), tmp_path)


def test_labels_sit_beside_codes_and_codes_stay_the_same_in_every_language():
    from workbench.i18n import t

    en = with_labels(_segments(), {"segment_cn8": "seg.cn8.{code}"}, lambda k: t(k, "en"))
    zh = with_labels(_segments(), {"segment_cn8": "seg.cn8.{code}"}, lambda k: t(k, "zh"))
    assert en["segment_cn8"].tolist() == zh["segment_cn8"].tolist() == [
        "important_value", "general_winback"]
    assert list(en.columns).index("segment_cn8_label") == list(en.columns).index("segment_cn8") + 1
    assert zh["segment_cn8_label"].iloc[0] == t("seg.cn8.important_value", "zh") != \
        en["segment_cn8_label"].iloc[0]


def test_customer_table_has_every_customer_and_names_what_is_blank(tmp_path):
    write_result("segments", _segments(), tmp_path)
    table, blank = customer_table(["002", "001", "003", "001"], tmp_path)
    assert table["customer_id"].tolist() == ["001", "002", "003"]
    assert table.loc[0, "segment_cn8"] == "important_value" and pd.isna(table.loc[2, "orders"])
    assert "clv" in blank and "segments" not in blank
    assert {"segment_cn8", "stage", "action"} <= set(customer_labels())


def test_persona_codes_carrying_data_values_are_labelled_by_function():
    from workbench.i18n import t
    from workbench.results import RESULTS

    frame = pd.DataFrame({"persona": ["category_lover:美妆", "", None], "x": ["a;b", "a", None]})
    zh = with_labels(frame, {"persona": RESULTS["segments"].labels["persona"],
                             "x": "fb.sentiment.{code}"}, lambda k: t(k, "zh"), "zh")
    assert zh["persona"].iloc[0] == "category_lover:美妆"  # the code is kept
    assert "美妆" in zh["persona_label"].iloc[0] and "lover" not in zh["persona_label"].iloc[0]
    assert pd.isna(zh["persona_label"].iloc[1]) and pd.isna(zh["x_label"].iloc[2])
    assert zh["x_label"].iloc[0] == "a；b"  # unknown codes as given, joined the Chinese way


def test_is_among_is_pandas_isin_on_text():
    import numpy as np
    import pandas as pd

    from workbench.results import is_among

    rng = np.random.default_rng(0)
    for dtype in ("string", object, "str"):
        ids = pd.Series([f"C{i}" if i % 17 else None for i in rng.integers(0, 300, 2000)],
                        dtype=dtype)
        for candidates in (pd.Series([f"C{i}" for i in range(0, 300, 3)] + [None], dtype=dtype),
                           {f"C{i}" for i in range(0, 300, 5)},
                           pd.Index(["C1", "C2"]), []):
            expected = ids.astype("string").isin(candidates).to_numpy(dtype=bool)
            np.testing.assert_array_equal(is_among(ids, candidates), expected)
    assert is_among(pd.Series([None, "a"]), ["a"]).tolist() == [False, True]
    assert is_among(pd.Series([None, "a"]), pd.Series([None], dtype="string")).tolist() == [True, False]
