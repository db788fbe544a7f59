"""The loader's warnings in a Chinese data-quality report: structured, translated, complete.

Two small folders together produce every warning of :data:`workbench.io.WARNING_CODES`; the
warnings list of ``01_data_quality`` (its cell run with a recording ``ctx``) and the index
page's data-quality block, both in ``zh``, must show each warning's Chinese text and none of
the English sentences, which stay for the console (``workbench validate``).
"""

from __future__ import annotations

import json
import re
import string

import pytest

from tests.conftest import ROOT, write_csv
from workbench import quality
from workbench.i18n import CATALOGUE
from workbench.index import _quality_html
from workbench.io import WARNING_CODES, LoadWarning, load_dataset

CJK = re.compile(r"[\u4e00-\u9fff]")
#: Words a Chinese warning may keep: option and column names the analyst types in mapping.yaml.
CONFIG_WORDS = {"mapping.yaml", "options", "dayfirst", "true", "order_id",
                "merge_same_day", "cancel_order_pattern"}


def _folder_without_order_ids(root):
    """Title line, repeated unused header, ambiguous dates, no order_id, a zero amount,
    same-day lines merged, contradicting day-first signups, an unknown buyer, a feedback
    table with every row set aside, and two files that are not read."""
    write_csv(root / "transactions.csv",
              "订单报表\n"
              "customer_id,order_date,amount,note,note\n"
              "A,05/01/2024,10,x,y\nA,05/01/2024,5,x,y\nB,06/02/2024,0,,\nC,07/03/2024,20,,\n")
    write_csv(root / "customers.csv",
              "customer_id,signup_date\nA,13/01/2023\nB,14/01/2023\nD,01/15/2023\n")
    write_csv(root / "feedback.csv", "customer_id,submitted_at,nps\n,2024-01-05,9\n,2024-01-06,3\n")
    write_csv(root / "mapping.yaml", "options:\n  merge_same_day: true\n")
    write_csv(root / "notes.csv", "a,b\n1,2\n")
    write_csv(root / "data.json", "{}")
    return root


def _folder_with_cancel_like_ids(root):
    """Order ids that all look like cancellations; month-first dates with a day-first one."""
    write_csv(root / "transactions.csv",
              "customer_id,order_id,order_date,amount\n"
              "A,C1,01/13/2024,10\nB,C2,01/14/2024,20\nB,C3,15/01/2024,30\n")
    return root


@pytest.fixture
def datasets(tmp_path):
    return [load_dataset(_folder_without_order_ids(tmp_path / "a")),
            load_dataset(_folder_with_cancel_like_ids(tmp_path / "b"))]


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("code", WARNING_CODES)
def test_every_warning_code_has_english_and_chinese_text(code):
    entry = CATALOGUE[f"dq.warn.{code}"]
    assert set(entry) == {"en", "zh"}
    assert _fields(entry["en"]) == _fields(entry["zh"])
    assert CJK.search(entry["zh"]) and not CJK.search(entry["en"])


def test_the_two_folders_raise_every_warning_code_as_a_structured_item(datasets):
    warnings = [w for ds in datasets for w in quality.all_warnings(ds.quality)]
    assert all(isinstance(w, LoadWarning) for w in warnings)
    assert {w.code for w in warnings} == set(WARNING_CODES)
    for w in warnings:  # the English text is the catalogue's, and the console shows it
        assert w.text == str(w) == w.describe("en")
    for ds in datasets:
        text = ds.quality.to_text()
        assert all(w.text in text for w in quality.all_warnings(ds.quality))
    first = datasets[0].quality.tables["transactions"].warnings
    assert first[0].code == "header_below_title"
    assert first[0].params == {"file": "transactions.csv", "row": 2, "skipped": 1}


def _untranslated_words(line: str, warning: LoadWarning) -> list[str]:
    """Latin words in a Chinese line once the data's own values are taken out."""
    rest = line
    values = [str(v) for v in warning.params.values() if not isinstance(v, list)]
    values += [str(v) for r in warning.params.get("reasons", []) for v in r["params"].values()]
    for value in sorted(values, key=len, reverse=True):
        rest = rest.replace(value, " ")
    words = re.findall(r"[A-Za-z][A-Za-z_.]*[A-Za-z]", rest)
    return [w for w in words if w not in CONFIG_WORDS and w not in "05/01/2024"]


class _RecordingContext:
    """Stands in for ``report.start``'s context: keeps what the cell shows."""

    def __init__(self):
        self.bullets_shown: list[str] = []
        self.said: list[str] = []

    def bullets(self, items):
        self.bullets_shown.extend(items)

    def say(self, key, **values):
        self.said.append(key)

    def save_metrics(self, metrics):
        json.dumps(metrics, default=str)

    def export(self, frame, name=None, *, labels=None):
        pass


def _run_warnings_cell(ds, lang: str) -> list[str]:
    nb = json.loads((ROOT / "notebooks" / "01_data_quality.ipynb").read_text(encoding="utf-8"))
    cell = next("".join(c["source"]) for c in nb["cells"]
                if c["cell_type"] == "code" and "ctx.bullets(" in "".join(c["source"]))
    ctx = _RecordingContext()
    exec(cell, {"ds": ds, "lang": lang, "ctx": ctx, "quality": quality})  # noqa: S102
    return ctx.bullets_shown


def test_chinese_data_quality_report_shows_every_warning_in_chinese(datasets):
    for ds in datasets:
        warnings = quality.all_warnings(ds.quality)
        shown = _run_warnings_cell(ds, "zh")
        assert len(shown) == len(warnings)
        for warning, line in zip(warnings, shown):
            assert warning.text not in line
            assert line == warning.describe("zh") and CJK.search(line), line
            assert _untranslated_words(line, warning) == [], line
        assert _run_warnings_cell(ds, "en") == [w.text for w in warnings]


def test_chinese_index_page_shows_the_warnings_in_chinese(datasets):
    from workbench.safety import escape_html

    for ds in datasets:
        page = _quality_html(ds.quality, "zh")
        for warning in quality.all_warnings(ds.quality)[:10]:
            assert escape_html(warning.text) not in page
            assert escape_html(warning.describe("zh")) in page
        assert "<th>交易</th>" in page and "<th>transactions</th>" not in page
        assert "<p>警告：</p>" in page


def test_chinese_set_aside_reasons_inside_a_warning_are_chinese(datasets):
    warning = next(w for w in datasets[0].quality.tables["feedback"].warnings
                   if w.code == "all_rows_set_aside")
    assert warning.text == ("feedback.csv: all 2 rows set aside (customer_id is empty: 2); the "
                            "analyses that need this table are skipped.")
    assert warning.describe("zh") == ("feedback.csv：全部 2 行均被剔除（customer_id 为空：2 行），"
                                      "需要该表的分析已跳过。")


def test_values_from_the_data_stay_as_given(datasets):
    repeated = next(w for w in datasets[0].quality.tables["transactions"].warnings
                    if w.code == "repeated_header")
    assert repeated.params == {"file": "transactions.csv", "header": "note", "first": 4,
                               "second": 5}
    assert "“note”" in repeated.describe("zh")
    contradict = next(w for w in datasets[1].quality.tables["transactions"].warnings
                      if w.code == "dates_contradict_month_first")
    assert "'15/01/2024'" in contradict.describe("zh")


def test_unread_files_are_listed_in_chinese(datasets):
    report = datasets[0].quality
    assert {u["code"] for u in report.unread_files} == {"unknown_name", "unsupported_type"}
    frame = report.unread_frame("zh")
    assert set(frame["file"]) == {"notes.csv", "data.json"}
    for english, chinese in zip(report.unread_frame("en")["reason"], frame["reason"]):
        assert english not in chinese and CJK.search(chinese)


def test_canonical_column_names_are_shown_in_the_report_language(tmp_path):
    from matplotlib import pyplot as plt

    from workbench.i18n import column_label
    from workbench.io import load_dataset
    from workbench.quality import missing_values, plot_missing_values
    from workbench.schema import TABLES

    for table in TABLES.values():  # every canonical column has a label in both languages
        for column in table.columns:
            assert column_label(column.name, "zh") != column.name
    assert column_label("my_own_attribute", "zh") == "my_own_attribute"  # data names as given
    (tmp_path / "transactions.csv").write_text(
        "customer_id,order_date,amount\n1,2024-01-01,abc\n2,2024-01-02,20\n3,2024-01-03,\n"
        "4,2024-01-04,5\n")
    (tmp_path / "customers.csv").write_text("customer_id,email\n1,\n2,a@b.cn\n")
    data = load_dataset(tmp_path)
    frame = data.quality.set_aside_frame("zh")
    assert "amount" not in " ".join(frame["column"].astype(str)) + " ".join(frame["reason"])
    assert "金额" in " ".join(frame["column"].astype(str))
    fig = plot_missing_values(missing_values(data), lang="zh")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert labels and all("email" not in label and "." not in label for label in labels)
