"""First contact: a new user's own export and first mapping.yaml either load or are explained.

Each case is a mistake seen in real first runs; `workbench validate` must answer with a message
naming the file (exit 2) or load the data correctly, never with a traceback.
"""

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
        ("transactions:\n  colums: {cid: customer_id}\n", r"'columns:' and 'values:' only"),
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


def test_folder_of_chinese_file_names_says_how_to_name_them(tmp_path):
    write_csv(tmp_path / "订单.csv", EXPORT)
    with pytest.raises(DataError, match=r"订单\.csv\. Each file is named after its table"):
        load_dataset(tmp_path)
