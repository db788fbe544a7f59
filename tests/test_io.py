"""Each loader rule, on small files written in the test."""

import hashlib

import pandas as pd
import pytest

from tests.conftest import write_csv
from workbench.cli import main
from workbench.io import DataError, load_dataset

GBK_EXPORT = (
    "客户ID,下单时间,实付金额,订单号,渠道\n"
    "00123,2024/1/5,\"￥1,299.00\",A1,门店\n"
    "00123,2024-01-07 10:00,￥50,A2,小程序\n"
    "00456,20240106,88,A3,APP\n"
)


def test_gbk_chinese_headers_with_mapping(tmp_path):
    write_csv(tmp_path / "transactions.csv", GBK_EXPORT, encoding="gbk")
    (tmp_path / "mapping.yaml").write_text(
        "columns:\n  客户ID: customer_id\n  下单时间: order_date\n  实付金额: amount\n"
        "  订单号: order_id\n  渠道: channel\n", encoding="utf-8")
    data = load_dataset(tmp_path)
    tx = data.transactions
    assert data.quality.tables["transactions"].encoding in ("gb18030", "gbk")
    assert tx["customer_id"].tolist() == ["00123", "00123", "00456"]
    assert tx["amount"].tolist() == [1299.0, 50.0, 88.0]
    assert tx["order_date"].tolist() == [
        pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-07 10:00"), pd.Timestamp("2024-01-06")]
    assert tx["channel"].tolist() == ["门店", "小程序", "APP"]


def test_chinese_headers_map_without_mapping_file(tmp_path):
    write_csv(tmp_path / "transactions.csv", GBK_EXPORT, encoding="gb18030")
    tx = load_dataset(tmp_path).transactions
    assert {"customer_id", "order_date", "amount", "order_id", "channel"} <= set(tx.columns)


def test_utf8_bom_and_semicolon_delimiter_and_european_amounts(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id;order_id;order_date;amount\n01;o1;05.01.2024;1.299,00\n"
              "02;o2;2024-01-06;12,50\n", encoding="utf-8-sig")
    data = load_dataset(tmp_path, dayfirst=True)
    assert data.quality.tables["transactions"].delimiter == ";"
    assert data.transactions["amount"].tolist() == [1299.0, 12.5]
    assert data.transactions["order_date"][0] == pd.Timestamp("2024-01-05")
    assert list(data.transactions.columns[:2]) == ["source_row", "customer_id"]


def test_tab_delimited(tmp_path):
    write_csv(tmp_path / "transactions.tsv",
              "customer_id\torder_date\tamount\nA\t2024-01-01\t10\n")
    data = load_dataset(tmp_path)
    assert data.transactions["amount"].tolist() == [10.0]
    assert "no order_id column" in data.quality.to_text()


def test_missing_amount_names_the_column(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv", "customer_id,order_date\nA,2024-01-01\n")
    with pytest.raises(DataError, match=r"transactions.csv: required column 'amount' is missing"):
        load_dataset(tmp_path)
    assert main(["validate", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "'amount'" in err and "transactions.csv" in err and "Traceback" not in err
    assert "customer_id, order_date" in err  # lists the columns the file does have


def test_bad_rows_set_aside_with_row_numbers(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount\n"
              "A,1,2024-01-01,10\n"       # row 2: fine
              "A,2,not a date,10\n"       # row 3: bad date
              ",3,2024-01-02,10\n"        # row 4: no customer
              "B,4,2024-01-03,abc\n"      # row 5: bad amount
              "B,5,2024-01-04,20\n")
    data = load_dataset(tmp_path)
    assert data.transactions["order_id"].tolist() == ["1", "5"]
    aside = data.quality.set_aside_frame().set_index("column")  # columns as readers name them
    assert aside.loc["Order date", "examples"] == "3"
    assert aside.loc["Customer ID", "examples"] == "4"
    assert aside.loc["Amount", "examples"] == "5"
    rep = data.quality.tables["transactions"]
    assert (rep.rows_read, rep.rows_kept) == (5, 2)


def test_mostly_unreadable_required_column_fails_with_examples(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_date,amount\nA,2024-01-01,ten\nB,2024-01-01,five\nC,2024-01-01,1\n")
    with pytest.raises(DataError) as err:
        load_dataset(tmp_path)
    message = str(err.value)
    assert "column 'amount'" in message and "row 2: 'ten'" in message and "67%" in message


def test_returns_are_kept_apart_not_dropped(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount,订单状态\n"
              "A,1,2024-01-01,100,已完成\n"
              "A,2,2024-01-02,-40,已完成\n"
              "B,3,2024-01-03,70,已取消\n"
              "B,C4,2024-01-04,30,\n"
              "B,5,2024-01-05,20,\n")
    data = load_dataset(tmp_path)
    assert data.transactions["order_id"].tolist() == ["1", "5"]
    reasons = dict(zip(data.returns["order_id"], data.returns["return_reason"]))
    assert reasons == {"2": "negative amount (return)", "3": "status is cancelled or refunded",
                       "C4": "order id marks a cancellation"}
    assert load_dataset(tmp_path, separate_returns=False).transactions.shape[0] == 5


def test_cancel_pattern_matching_most_orders_is_ignored(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount\nA,C1,2024-01-01,1\nA,C2,2024-01-02,2\n")
    data = load_dataset(tmp_path)
    assert len(data.transactions) == 2
    assert any("matches 100% of order ids" in w.text for w in data.quality.tables["transactions"].warnings)


def test_exact_duplicates_removed_switchable(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount\nA,1,2024-01-01,5\nA,1,2024-01-01,5\n"
              "A,2,2024-01-01,5\n")
    assert len(load_dataset(tmp_path).transactions) == 2
    assert len(load_dataset(tmp_path, drop_exact_duplicates=False).transactions) == 3


def test_same_day_merge_from_mapping_options(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount,quantity\n"
              "A,1,2024-01-01 09:00,5,1\nA,2,2024-01-01 18:00,7,2\nA,3,2024-01-02,1,1\n")
    (tmp_path / "mapping.yaml").write_text("options:\n  merge_same_day: true\n")
    tx = load_dataset(tmp_path).transactions
    assert tx["amount"].tolist() == [12.0, 1.0]
    assert tx["quantity"].tolist() == [3.0, 1.0]
    assert tx["n_lines"].tolist() == [2, 1]
    assert len(load_dataset(tmp_path, merge_same_day=False).transactions) == 3


def test_mapping_errors_are_explained(tmp_path):
    write_csv(tmp_path / "transactions.csv", "cid,d,a\nA,2024-01-01,1\n")
    (tmp_path / "mapping.yaml").write_text("columns:\n  cid: customer\n")
    with pytest.raises(DataError, match=r"mapping.yaml: 'cid: customer' maps to 'customer'"):
        load_dataset(tmp_path)
    (tmp_path / "mapping.yaml").write_text("options:\n  merge_same_days: true\n")
    with pytest.raises(DataError, match="unknown option"):
        load_dataset(tmp_path)
    (tmp_path / "mapping.yaml").write_text("columns: [oops\n")
    with pytest.raises(DataError, match="not valid YAML"):
        load_dataset(tmp_path)


def test_excel_and_parquet(tmp_path):
    frame = pd.DataFrame({"客户ID": ["007", "008"], "订单日期": ["2024-01-05", "2024/2/1"],
                          "金额": ["¥10.00", "20"]})
    frame.to_excel(tmp_path / "transactions.xlsx", index=False)
    tx = load_dataset(tmp_path).transactions
    assert tx["customer_id"].tolist() == ["007", "008"]
    assert tx["amount"].tolist() == [10.0, 20.0]
    (tmp_path / "transactions.xlsx").unlink()
    pd.DataFrame({"customer_id": [7, 8], "order_date": pd.to_datetime(["2024-01-05", "2024-02-01"]),
                  "amount": [1.5, 2.5]}).to_parquet(tmp_path / "transactions.parquet")
    tx = load_dataset(tmp_path).transactions
    assert tx["customer_id"].tolist() == ["7", "8"] and tx["amount"].sum() == 4.0


def test_two_files_for_one_table_is_an_error(tmp_path):
    write_csv(tmp_path / "transactions.csv", "customer_id,order_date,amount\nA,2024-01-01,1\n")
    write_csv(tmp_path / "transactions.tsv", "customer_id\torder_date\tamount\n")
    with pytest.raises(DataError, match="several files for the transactions table"):
        load_dataset(tmp_path)


def test_customers_only_with_attributes_and_churn(tmp_path):
    write_csv(tmp_path / "customers.csv",
              "会员ID,会员等级,是否流失,月费,wechat,手机号\n"
              "001,1,是,99.5,yes,13812345678\n002,3,否,49,no,\n002,4,否,59,no,\n")
    (tmp_path / "mapping.yaml").write_text(
        "customers:\n  values:\n    tier: {'1': 普通, '3': 黄金, '4': 铂金}\n")
    data = load_dataset(tmp_path)
    cust = data.customers.set_index("customer_id")
    assert cust.loc["001", "tier"] == "普通" and cust.loc["002", "tier"] == "铂金"  # last kept
    assert cust["churned"].tolist() == [True, False]
    assert cust["mrr"].dtype == "float64" and cust["wechat"].tolist() == [True, False]
    assert cust.loc["001", "phone"] == "13812345678"
    assert data.transactions is None
    assert data.missing_for("segmentation").startswith("Customer segmentation needs transactions.csv")
    assert data.missing_for("churn") is None
    assert data.quality.customers_without_transactions == 2


def test_feedback_scores_mapped_or_blanked(tmp_path):
    write_csv(tmp_path / "transactions.csv", "customer_id,order_date,amount\nA,2024-01-01,1\n")
    write_csv(tmp_path / "feedback.csv",
              "customer_id,submitted_at,nps,csat,comment\n"
              "A,2024-01-02,10分,满意,很好\nA,2024-01-03,11,6,<b>x</b>\nA,2024-01-04,7,很好吧,\n")
    data = load_dataset(tmp_path)
    fb = data.feedback
    assert fb["nps"].tolist()[0] == 10.0 and fb["csat"].tolist()[0] == 4.0
    assert fb["nps"].isna().tolist() == [False, True, False]
    assert fb["csat"].isna().tolist() == [False, True, True]
    aside = data.quality.set_aside_frame()
    nps_row = aside[(aside["column"] == "NPS score")].iloc[0]
    assert nps_row["rows"] == 1 and nps_row["values_only"] and "outside 0-10" in nps_row["reason"]
    assert len(fb) == 3  # a bad score never drops the comment


def test_folder_without_tables_and_missing_folder(tmp_path):
    write_csv(tmp_path / "notes.csv", "a\n1\n")
    with pytest.raises(DataError, match="found neither transactions nor customers"):
        load_dataset(tmp_path)
    assert main(["validate", "--data", str(tmp_path / "nope")]) == 2


def test_empty_and_undecodable_files(tmp_path):
    write_csv(tmp_path / "transactions.csv", "")
    with pytest.raises(DataError, match="cannot be read as a table"):
        load_dataset(tmp_path)


def test_raw_files_are_never_modified(tmp_path):
    path = write_csv(tmp_path / "transactions.csv", GBK_EXPORT + "00456,20240106,88,A3,APP\n",
                     encoding="gbk")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    load_dataset(tmp_path, merge_same_day=True)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["transactions.csv"]


def test_validate_prints_report(tmp_path, capsys):
    write_csv(tmp_path / "transactions.csv", GBK_EXPORT, encoding="gbk")
    assert main(["validate", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "3 rows read, 3 kept, 2 customers" in out and "Usable: yes" in out
