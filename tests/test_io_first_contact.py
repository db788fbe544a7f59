"""First contact: a new user's own export and first mapping.yaml either load or are explained.

Each case is a mistake seen in real first runs; `workbench validate` must answer with a message
naming the file (exit 2) or load the data correctly, never with a traceback.
"""

import pandas as pd
import pytest

from tests.conftest import write_csv
from workbench.cli import main
from workbench.io import DataError, load_dataset

EXPORT = "customer_id,order_id,order_date,amount\n001,A1,2024-01-05,10\n002,A2,2024-01-06,20\n"


def _validate(folder, capsys) -> tuple[int, str]:
    code = main(["validate", "--data", str(folder)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# ------------------------------------------------------------------- mapping.yaml


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("columns:\n  - 客户ID\n  - 下单时间\n", r"'columns' must be a mapping of names"),
        ("columns: customer_id\n", r"'columns' must be a mapping of names"),
        ("options:\n  - merge_same_day\n", r"'options' must be a mapping of names"),
        ("transactions:\n  - 客户ID\n", r"'transactions' must hold 'columns:'"),
        ("transactions:\n  colums: {cid: customer_id}\n", r"'columns:', 'values:' and 'order:' only"),
        ("transaction:\n  columns: {cid: customer_id}\n", r"unknown section\(s\) transaction"),
        ("customers:\n  values:\n    tier: [普通, 白银]\n", r"'customers.values.tier' must be a"),
        ("columns:\n  客户ID: [customer_id]\n", r"'columns: 客户ID' must name one canonical"),
        ("options:\n  merge_same_day: 'no'\n", r"'merge_same_day' must be true or false"),
        ("options:\n  dayfirst: 1\n", r"'dayfirst' must be true or false"),
        ("options:\n  cancel_order_pattern: '[C'\n", r"not a valid regular expression"),
        ("options:\n  cancel_order_pattern: 12\n", r"must be a regular expression"),
    ],
)
def test_malformed_mapping_is_explained_not_a_traceback(tmp_path, capsys, yaml_text, message):
    write_csv(tmp_path / "transactions.csv", EXPORT)
    write_csv(tmp_path / "mapping.yaml", yaml_text)
    with pytest.raises(DataError, match=message) as info:
        load_dataset(tmp_path)
    assert "mapping.yaml" in str(info.value)
    code, out = _validate(tmp_path, capsys)
    assert code == 2 and "Traceback" not in out and "mapping.yaml" in out


def test_quoted_no_does_not_switch_an_option_on(tmp_path):
    """'no' in quotes is a non-empty string: it used to turn merge_same_day on silently."""
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount\n1,2024-01-05 09:00,10\n1,2024-01-05 18:00,5\n")
    write_csv(tmp_path / "mapping.yaml", "options:\n  merge_same_day: no\n")  # YAML false
    assert len(load_dataset(tmp_path).transactions) == 2
    write_csv(tmp_path / "mapping.yaml", "options:\n  merge_same_day: 'no'\n")
    with pytest.raises(DataError, match="true or false"):
        load_dataset(tmp_path)


def test_single_cancelled_status_is_one_value_not_its_characters(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount,状态\n1,2024-01-05,10,退款\n2,2024-01-05,10,退\n"
              "3,2024-01-05,10,款\n")
    write_csv(tmp_path / "mapping.yaml", "options:\n  cancelled_status: 退款\n")
    data = load_dataset(tmp_path)
    assert data.options.cancelled_status == ("退款",)
    assert data.transactions["customer_id"].tolist() == ["2", "3"]
    assert data.returns["customer_id"].tolist() == ["1"]


def test_mapping_saved_as_gbk_by_notepad_is_read(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "编号,时间,实付\n001,2024-01-05,10\n002,2024-01-06,20\n", encoding="gbk")
    write_csv(tmp_path / "mapping.yaml",
              "columns:\n  编号: customer_id\n  时间: order_date\n  实付: amount\n", encoding="gbk")
    data = load_dataset(tmp_path)
    assert data.transactions["customer_id"].tolist() == ["001", "002"]
    assert data.transactions["amount"].tolist() == [10.0, 20.0]


# ------------------------------------------------------------------- finding the files


@pytest.mark.parametrize("name", ["Transactions.csv", "TRANSACTIONS.CSV", "transactions.Csv"])
def test_table_file_name_in_any_case_is_found(tmp_path, name):
    """Windows and macOS ignore the case of file names; the Linux server must find them too."""
    write_csv(tmp_path / name, EXPORT)
    data = load_dataset(tmp_path)
    assert data.transactions["order_id"].tolist() == ["A1", "A2"]
    assert data.quality.tables["transactions"].file.endswith(name)


def test_a_backup_copy_beside_the_table_is_not_taken_for_it(tmp_path):
    write_csv(tmp_path / "transactions.csv", EXPORT)
    write_csv(tmp_path / "transactions.old.csv", "customer_id,order_date,amount\n9,2020-01-01,1\n")
    assert load_dataset(tmp_path).transactions["customer_id"].tolist() == ["001", "002"]


def test_a_file_given_instead_of_its_folder_is_explained(tmp_path, capsys):
    path = write_csv(tmp_path / "transactions.csv", EXPORT)
    with pytest.raises(DataError, match=r"this is a file; give the folder that holds it") as info:
        load_dataset(path)
    assert str(tmp_path) in str(info.value)
    code, out = _validate(path, capsys)
    assert code == 2 and "this is a file" in out


# ------------------------------------------------------------------- reading the file


def test_title_and_export_note_above_the_header_are_skipped_in_csv(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "导出时间：2024-02-01\n\n客户ID\t下单时间\t实付金额\n001\t2024-01-05\t10\n"
              "002\t2024-01-06\t20\n", encoding="gbk")
    data = load_dataset(tmp_path)
    tx = data.transactions
    assert tx["customer_id"].tolist() == ["001", "002"]
    assert tx["amount"].tolist() == [10.0, 20.0]
    assert tx["source_row"].tolist() == [4, 5]  # as the spreadsheet numbers them
    assert "the header is on row 3" in data.quality.to_text()


def test_title_rows_above_the_header_are_skipped_in_excel(tmp_path):
    path = tmp_path / "transactions.xlsx"
    frame = pd.DataFrame({"会员编号": ["007", "008"], "支付时间": ["2024-01-05", "2024-01-06"],
                          "实付金额": [10.5, 20.0], "备注": ["", "gift"]})
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["订单报表"]]).to_excel(writer, index=False, header=False)
        frame.to_excel(writer, index=False, startrow=2)
    data = load_dataset(tmp_path)
    tx = data.transactions
    assert tx["customer_id"].tolist() == ["007", "008"]
    assert tx["amount"].tolist() == [10.5, 20.0]
    assert tx["source_row"].tolist() == [4, 5]
    assert data.quality.tables["transactions"].column_map["会员编号"] == "customer_id"


def test_header_found_through_mapping_under_a_title(tmp_path):
    write_csv(tmp_path / "transactions.csv", "月报\nkh,rq,je\nA,2024-01-05,3\n")
    write_csv(tmp_path / "mapping.yaml",
              "columns:\n  kh: customer_id\n  rq: order_date\n  je: amount\n")
    assert load_dataset(tmp_path).transactions["amount"].tolist() == [3.0]


def test_a_delimiter_at_the_end_of_every_line_does_not_shift_the_columns(tmp_path):
    """Pandas takes the first column as the index then: ids became dates, dates amounts."""
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount\n002,2024-01-06,20,\n001,2024-01-05,10,\n")
    tx = load_dataset(tmp_path).transactions
    assert tx["customer_id"].tolist() == ["002", "001"]
    assert tx["order_date"].tolist() == [pd.Timestamp("2024-01-06"), pd.Timestamp("2024-01-05")]
    assert tx["amount"].tolist() == [20.0, 10.0]


@pytest.mark.parametrize("first_row_long", [True, False])
def test_rows_with_more_fields_than_the_header_are_named(tmp_path, capsys, first_row_long):
    long, short = "001,2024-01-05,1,299.00", "002,2024-01-06,20"
    body = f"{long}\n{short}\n" if first_row_long else f"{short}\n{long}\n"
    write_csv(tmp_path / "transactions.csv", "customer_id,order_date,amount\n" + body)
    row = 2 if first_row_long else 3
    with pytest.raises(DataError, match=rf"more fields than the header's 3 .* row {row}: "
                                        r"'001,2024-01-05,1,299.00'.*without quotes"):
        load_dataset(tmp_path)
    code, out = _validate(tmp_path, capsys)
    assert code == 2 and "Traceback" not in out


def test_xls_that_is_tab_separated_text_is_read(tmp_path):
    write_csv(tmp_path / "transactions.xls",
              "客户ID\t下单时间\t实付金额\n001\t2024-01-05\t10\n", encoding="gbk")
    tx = load_dataset(tmp_path).transactions
    assert tx["customer_id"].tolist() == ["001"] and tx["amount"].tolist() == [10.0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, r"old-style Excel \(\.xls\).*\.xlsx"),
        ("<html><table><tr><td>客户ID</td></tr></table></html>".encode(), r"web page \(HTML\)"),
    ],
)
def test_xls_that_cannot_be_read_says_what_to_do(tmp_path, capsys, content, message):
    (tmp_path / "transactions.xls").write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_dataset(tmp_path)
    code, out = _validate(tmp_path, capsys)
    assert code == 2 and "save it as .xlsx" in out


# ------------------------------------------------------------------- nothing left to use


def test_header_only_export_is_not_reported_usable(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv", "客户ID,下单时间,实付金额\n")
    with pytest.raises(DataError, match=r"transactions\.csv: .*(no rows below|header but no rows)"):
        load_dataset(tmp_path)
    code, out = _validate(tmp_path, capsys)
    assert code == 2 and "Usable: yes" not in out


def test_every_row_set_aside_says_why(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount\n1,2024-01-05,\n2,2024-01-06,\n")
    with pytest.raises(DataError, match=r"all 2 rows set aside \(amount is empty: 2\)"):
        load_dataset(tmp_path)


def test_a_side_table_with_every_row_set_aside_is_a_warning_not_a_failure(tmp_path):
    write_csv(tmp_path / "transactions.csv", EXPORT)
    write_csv(tmp_path / "feedback.csv", "customer_id,submitted_at,nps\n,2024-01-05,9\n,2024-01-06,3\n")
    data = load_dataset(tmp_path)
    assert data.quality.usable and not data.has("feedback")
    assert len(data.transactions) == 2
    assert ("feedback.csv: all 2 rows set aside (customer_id is empty: 2); the analyses that "
            "need this table are skipped.") in data.quality.to_text()
