"""Messy real exports (issue "First contact"): each load either works or is explained.

European exports, placeholder and future dates, files the loader does not recognise, mapping
entries naming no column, empty tables, repeated headers, CSV parse errors, survey-only
folders and reports whose optional columns are absent. Small files written in each test.
"""

from decimal import Decimal

import pandas as pd
import pytest

from tests.conftest import write_csv
from workbench import parsing
from workbench.cli import main
from workbench.io import DataError, load_dataset


def _validate(folder, capsys) -> tuple[int, str, str]:
    code = main(["validate", "--data", str(folder)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------ 1. European exports

EUROPEAN = (
    "customer_id;order_id;order_date;amount\n"
    "001;A1;25.01.2024 10:30;1.299,00\n"
    "002;A2;13.02.2024 09:15;12,50\n"
    "003;A3;05.01.2024 18:00;2.500\n"
    "004;A4;03.02.2024 08:05;0,10\n"
)


def test_european_export_loads_with_exact_total(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv", EUROPEAN, encoding="utf-8-sig")
    data = load_dataset(tmp_path)
    tx = data.transactions
    assert data.quality.tables["transactions"].delimiter == ";"
    assert tx["order_date"].tolist() == [
        pd.Timestamp("2024-01-25 10:30"), pd.Timestamp("2024-02-13 09:15"),
        pd.Timestamp("2024-01-05 18:00"), pd.Timestamp("2024-02-03 08:05")]
    # 2.500 is two thousand five hundred in a column that writes decimal commas
    assert tx["amount"].tolist() == [1299.0, 12.5, 2500.0, 0.1]
    assert round(Decimal(str(tx["amount"].sum())), 2) == Decimal("3811.60")
    code, out, err = _validate(tmp_path, capsys)
    assert code == 0 and "4 rows read, 4 kept" in out and not err


def test_day_month_order_is_decided_for_the_whole_column():
    # 05/01 alone could be May 1; 25/01 in the same column says the column is day first.
    result = parsing.read_dates(pd.Series(["05/01/2024", "25/01/2024", "05/01/2024", "02/03/2024"]))
    assert result.dayfirst is True and result.decided_by == "values"
    assert result.dates.tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-25"),
                                     pd.Timestamp("2024-01-05"), pd.Timestamp("2024-03-02")]
    month_first = parsing.read_dates(pd.Series(["05/01/2024", "01/25/2024"]))
    assert month_first.dates.tolist() == [pd.Timestamp("2024-05-01"), pd.Timestamp("2024-01-25")]
    # A column mixing both: the majority wins and the contradicting value is not guessed.
    mixed = parsing.read_dates(pd.Series(["13/01/2024", "14/01/2024", "01/15/2024"]))
    assert mixed.dayfirst is True and mixed.contradicting == ["01/15/2024"]
    assert mixed.dates.isna().tolist() == [False, False, True]


def test_ambiguous_day_month_column_is_read_one_way_with_a_warning(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount\n1,05/01/2024,1\n2,06/02/2024,2\n")
    data = load_dataset(tmp_path)
    assert data.transactions["order_date"].tolist() == [pd.Timestamp("2024-05-01"),
                                                        pd.Timestamp("2024-06-02")]
    assert any("cannot tell day from month" in w.text
               for w in data.quality.tables["transactions"].warnings)
    assert load_dataset(tmp_path, dayfirst=True).transactions["order_date"][0] == pd.Timestamp(
        "2024-01-05")


def test_lone_dot_thousands_follow_the_column_convention():
    assert parsing.parse_amounts(pd.Series(["1.299", "12,50"])).tolist() == [1299.0, 12.5]
    assert parsing.parse_amounts(pd.Series(["1.299", "12.50"])).tolist() == [1.299, 12.5]


# ------------------------------------------------------------------ 2. dates out of range


def test_placeholder_and_future_dates_are_set_aside_not_a_traceback(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount\n"
              "1,2024-01-05,10\n"      # row 2
              "2,2999-01-01,5\n"       # row 3: placeholder
              "3,9999-12-31 00:00:00,5\n"  # row 4: placeholder
              "4,2024-02-01,7\n"       # row 5
              "5,2024-03-01,3\n")      # row 6: after as_of below
    write_csv(tmp_path / "customers.csv",
              "customer_id,signup_date,churned_at\n1,2023-01-01,9999-12-31\n4,2023-02-01,\n"
              "5,2023-03-01,2024-01-01\n")
    write_csv(tmp_path / "mapping.yaml", "options:\n  as_of: 2024-02-15\n")
    data = load_dataset(tmp_path)
    assert data.transactions["customer_id"].tolist() == ["1", "4"]
    aside = {s.code: s for s in data.quality.set_aside}
    assert aside["date_out_of_range"].rows == 2 and aside["date_out_of_range"].examples == [3, 4]
    assert aside["date_future"].examples == [6] and "2024-02-15" in aside["date_future"].reason
    placeholder = aside["date_placeholder"]
    assert placeholder.values_only and placeholder.column == "churned_at" and placeholder.rows == 1
    customers = data.customers.set_index("customer_id")
    assert pd.isna(customers.loc["1", "churned_at"]) and len(customers) == 3
    assert data.last_date == pd.Timestamp("2024-02-01")
    code, out, err = _validate(tmp_path, capsys)
    assert code == 0 and "Traceback" not in out + err
    assert "placeholder date" in out and "rows 3, 4" in out


def test_a_future_order_date_is_set_aside_without_as_of(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount\n1,2024-01-05,10\n2,2024-01-06,10\n3,2199-06-30,5\n")
    data = load_dataset(tmp_path)
    assert data.transactions["customer_id"].tolist() == ["1", "2"]
    assert [s.code for s in data.quality.set_aside] == ["date_future"]
    assert data.last_date == pd.Timestamp("2024-01-06")


# ------------------------------------------------------------------ 3. nothing silently ignored

GOOD = "customer_id,order_id,order_date,amount\n001,A1,2024-01-05,10\n002,A2,2024-01-06,20\n"


@pytest.mark.parametrize(("name", "table"), [
    ("orders.csv", "transactions"), ("订单.csv", "transactions"), ("交易记录.csv", "transactions"),
    ("Sales.CSV", "transactions"),
])
def test_common_file_names_are_recognised(tmp_path, name, table):
    write_csv(tmp_path / name, GOOD)
    data = load_dataset(tmp_path)
    assert data.quality.tables[table].file.endswith(name)
    assert data.transactions["order_id"].tolist() == ["A1", "A2"]


def test_customer_and_survey_aliases_and_files_section(tmp_path):
    write_csv(tmp_path / "会员.csv", "customer_id,tier\n001,金\n")
    write_csv(tmp_path / "nps.csv", "customer_id,submitted_at,nps\n001,2024-01-05,9\n")
    write_csv(tmp_path / "export_0131.csv", GOOD)
    write_csv(tmp_path / "mapping.yaml", "files:\n  export_0131.csv: transactions\n")
    data = load_dataset(tmp_path)
    assert sorted(data.quality.tables) == ["customers", "feedback", "transactions"]
    assert data.quality.unread_files == []


def test_unread_table_files_are_named_with_the_reason(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv", GOOD)
    write_csv(tmp_path / "notes.csv", "a,b\n1,2\n")
    write_csv(tmp_path / "orders.xlsm", "binary")
    write_csv(tmp_path / "README.md", "# data\n")
    data = load_dataset(tmp_path)
    unread = {u["file"]: u for u in data.quality.unread_files}
    assert sorted(unread) == ["notes.csv", "orders.xlsm"]
    assert "matches no table" in unread["notes.csv"]["reason"]
    assert ".xlsm files cannot be read" in unread["orders.xlsm"]["reason"]
    frame = data.quality.unread_frame("zh")
    assert frame["file"].tolist() == ["notes.csv", "orders.xlsm"]
    assert "文件名不对应任何数据表" in frame["reason"].iloc[0]
    code, out, _ = _validate(tmp_path, capsys)
    assert code == 0 and "notes.csv was not read: its name matches no table" in out


def test_two_files_for_one_table_through_an_alias_is_an_error(tmp_path):
    write_csv(tmp_path / "transactions.csv", GOOD)
    write_csv(tmp_path / "orders.csv", GOOD)
    with pytest.raises(DataError, match=r"several files for the transactions table \(orders.csv, "
                                        r"transactions.csv\)"):
        load_dataset(tmp_path)


def test_mapping_entry_naming_no_column_is_an_error(tmp_path, capsys):
    # 下单日期 is misspelt (the file says 下单时间): auto-detection would take 下单时间 silently.
    write_csv(tmp_path / "transactions.csv",
              "客户ID,下单时间,支付时间,实付金额\n001,2024-01-05,2024-01-06,10\n")
    write_csv(tmp_path / "mapping.yaml", "columns:\n  下单日期: order_date\n")
    with pytest.raises(DataError, match=r"'下单日期: order_date' .*none of the files read "
                                        r"\(transactions.csv\)"):
        load_dataset(tmp_path)
    code, _, err = _validate(tmp_path, capsys)
    assert code == 2 and "mapping.yaml" in err and "Traceback" not in err
    write_csv(tmp_path / "mapping.yaml", "transactions:\n  columns: {付款时间: order_date}\n")
    with pytest.raises(DataError, match=r"'付款时间: order_date'.*transactions.csv does not have"):
        load_dataset(tmp_path)
    write_csv(tmp_path / "mapping.yaml", "feedback:\n  columns: {评分: nps}\n")
    with pytest.raises(DataError, match=r"'评分: nps' under 'feedback: columns:'.*no feedback file"):
        load_dataset(tmp_path)
    write_csv(tmp_path / "mapping.yaml", "columns:\n  支付时间: order_date\n")  # exists: used
    assert load_dataset(tmp_path).transactions["order_date"][0] == pd.Timestamp("2024-01-06")


def test_header_without_rows_exits_2_even_beside_other_tables(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv", "customer_id,order_date,amount\n")
    write_csv(tmp_path / "customers.csv", "customer_id,tier\n001,金\n")
    with pytest.raises(DataError, match=r"transactions.csv has a header but no rows"):
        load_dataset(tmp_path)
    code, out, err = _validate(tmp_path, capsys)
    assert code == 2 and "transactions.csv has a header but no rows" in err and not out


def test_repeated_header_exits_2_naming_the_column(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount,amount\n001,2024-01-05,10,12\n")
    with pytest.raises(DataError, match=r"two columns have the same header 'amount' "
                                        r"\(columns 3 and 4\)"):
        load_dataset(tmp_path)
    code, _, err = _validate(tmp_path, capsys)
    assert code == 2 and "'amount'" in err and "Traceback" not in err


# ------------------------------------------------------------------ 4. CSV parse errors


def test_unquoted_comma_in_a_comment_is_explained(tmp_path, capsys):
    write_csv(tmp_path / "feedback.csv",
              "customer_id,submitted_at,nps,comment\n1,2024-01-05,9,great\n"
              "2,2024-01-06,3,slow, rude staff\n3,2024-01-07,8,ok\n")
    code, _, err = _validate(tmp_path, capsys)
    assert code == 2 and "feedback.csv" in err and "row 3" in err and "quote" in err
    assert "C error" not in err and "Error tokenizing" not in err


def test_unclosed_quote_is_explained_with_its_line(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv",
              'customer_id,order_date,amount,note\n1,2024-01-05,10,ok\n2,2024-01-06,20,"fine\n'
              "3,2024-01-07,30,x\n")
    code, _, err = _validate(tmp_path, capsys)
    assert code == 2 and "transactions.csv, line 3" in err and "never closed" in err
    assert "double quotes" in err and "C error" not in err and "Traceback" not in err


# ------------------------------------------------------------------ 5./6. what a report needs


SURVEY = ("customer_id,submitted_at,nps,comment\n"
          "1,2024-03-01,9,很好\n2,2024-03-05,3,太慢\n3,2024-03-09,10,满意\n")


def test_survey_only_folder_is_usable_for_feedback(tmp_path, capsys):
    write_csv(tmp_path / "feedback.csv", SURVEY)
    data = load_dataset(tmp_path)
    assert data.quality.usable and data.transactions is None and data.customers is None
    assert data.last_date == pd.Timestamp("2024-03-09")
    assert data.missing_for("feedback") is None
    assert data.missing_for("data_quality") is None
    assert "transactions.csv" in data.missing_for("segmentation")
    assert "transactions.csv or customers.csv" in data.missing_for("overview")
    code, out, _ = _validate(tmp_path, capsys)
    assert code == 0 and "feedback: feedback.csv" in out


def test_personalization_needs_a_product_or_category_column(tmp_path):
    write_csv(tmp_path / "transactions.csv", GOOD)
    reason = load_dataset(tmp_path).missing_for("personalization")
    assert reason is not None and "'product_id' or 'category'" in reason
    assert "transactions.csv" in reason
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount,category\n001,2024-01-05,10,服装\n")
    assert load_dataset(tmp_path).missing_for("personalization") is None


def test_validate_reports_an_unexpected_error_without_a_traceback(tmp_path, capsys, monkeypatch):
    import workbench.runner

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(workbench.runner, "load_checked", broken)  # what validate calls
    code, out, err = _validate(tmp_path, capsys)
    assert code == 1 and "unexpected error" in err and "KeyError" in err
    assert "Traceback" not in out + err


def test_run_on_a_survey_export_renders_feedback_and_skips_the_rest(tmp_path):
    """The one end-to-end run of this file: an NPS export named nps.csv, nothing else."""
    import json

    comments = ["服务很好，下次还来", "发货太慢了", "客服态度差", "质量不错", "价格有点贵", ""]
    lines = ["customer_id,submitted_at,nps,comment"]
    for i in range(120):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
        lines.append(f"{i % 40:04d},{day.date()},{(i * 7) % 11},{comments[i % len(comments)]}")
    data = tmp_path / "survey"
    write_csv(data / "nps.csv", "\n".join(lines) + "\n")
    write_csv(data / "readme.txt", "exported from the survey tool\n")
    out = tmp_path / "out"
    code = main(["run", "--data", str(data), "--out", str(out), "--quiet", "--jobs", "1",
                 "--notebooks", "data_quality,feedback,overview"])
    manifest = json.loads((out / "manifest.json").read_text())
    by_topic = {n["topic"]: n for n in manifest["notebooks"]}
    assert by_topic["overview"]["status"] == "skipped"
    assert "transactions.csv or customers.csv" in by_topic["overview"]["error"]
    assert by_topic["data_quality"]["status"] == "ok", by_topic["data_quality"]["error"]
    assert by_topic["feedback"]["status"] == "ok", by_topic["feedback"]["error"]
    assert code == 0
    assert manifest["parameters"]["as_of_resolved"] == "2024-04-29"
    html = (out / "01_data_quality.html").read_text(encoding="utf-8")
    assert "readme.txt" in html and "Files not read" in html
