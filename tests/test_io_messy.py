"""Messy real exports (issue "First contact"): each load either works or is explained.

European exports, placeholder and future dates, files the loader does not recognise, mapping
entries naming no column, empty tables, repeated headers, CSV parse errors, survey-only
folders and reports whose optional columns are absent. Small files written in each test.
"""

from decimal import Decimal

import pandas as pd

from tests.conftest import write_csv
from workbench import parsing
from workbench.cli import main
from workbench.io import load_dataset


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
    assert any("cannot tell day from month" in w
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
