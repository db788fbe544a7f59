"""The loader reads subscriptions and campaign logs: headers, file names, checks at the edge."""

import pandas as pd
import pytest

from workbench.io import DataError, load_dataset

TX = "customer_id,order_id,order_date,amount\n007,1,2024-03-01,10\n008,2,2024-06-30,20\n"


def _folder(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_contracts_file_with_chinese_headers_loads(tmp_path):
    folder = _folder(tmp_path, {"合同.csv": (
        "客户编号,合同编号,开始日期,到期日,年费,月费,套餐\n"
        "007,H-1,2024-01-01,,1200,,标准版\n"      # annual amount: MRR 100
        "008,H-2,2024-02-01,2030-01-31,,50,专业版\n"  # end in the future is fine
        "009,H-3,2024-03-01,2024-02-01,,50,标准版\n"  # ends before it starts
        "010,H-4,2024-03-01,,,-5,标准版\n")})          # negative MRR
    ds = load_dataset(folder)
    subs = ds.subscriptions
    assert subs["customer_id"].tolist() == ["007", "008"]
    assert subs["subscription_id"].tolist() == ["H-1", "H-2"]
    assert subs["mrr"].tolist() == [100.0, 50.0]
    assert pd.isna(subs.loc[0, "end_date"]) and subs.loc[1, "end_date"] == pd.Timestamp("2030-01-31")
    assert subs["plan"].tolist() == ["标准版", "专业版"]
    reasons = {s.code: s for s in ds.quality.set_aside if s.table == "subscriptions"}
    assert set(reasons) == {"end_before_start", "negative_mrr"}
    assert reasons["end_before_start"].examples == [4] and reasons["negative_mrr"].examples == [5]
    assert ds.quality.rows_set_aside("subscriptions") == 2
    shown = ds.quality.set_aside_frame("zh")
    assert set(shown["reason"]) == {"结束日期早于开始日期", "月费为负"}
    assert set(shown["table"]) == {"订阅"}
    assert ds.missing_for("customer_success") is None


def test_overlapping_periods_name_the_rows(tmp_path):
    folder = _folder(tmp_path, {"subscriptions.csv": (
        "customer_id,subscription_id,start_date,end_date,mrr\n"
        "1,S1,2024-01-01,2024-06-30,100\n"
        "1,S1,2024-06-15,,120\n")})
    with pytest.raises(DataError, match=r"subscriptions\.csv.*overlap.*subscription S1: rows 2 and 3"):
        load_dataset(folder)


def test_campaign_log_with_chinese_headers_loads(tmp_path):
    folder = _folder(tmp_path, {"transactions.csv": TX, "营销活动.csv": (
        "客户编号,活动ID,发送时间,分组,是否转化,成本\n"
        "007,c1,2024-04-01,对照组,否,0\n"
        "008,c1,2024-04-01,优惠券,是,1.5\n")})
    ds = load_dataset(folder)
    log = ds.campaigns
    assert log["arm"].tolist() == ["control", "优惠券"]
    assert log["converted"].tolist() == [0, 1] and log["cost"].tolist() == [0.0, 1.5]
    assert ds.missing_for("campaigns") is None


def test_a_customer_in_two_arms_is_an_error(tmp_path):
    folder = _folder(tmp_path, {"transactions.csv": TX, "campaigns.csv": (
        "customer_id,campaign_id,sent_at,arm\n"
        "007,c1,2024-04-01,control\n"
        "007,c1,2024-04-01,A\n"
        "008,c1,2024-04-01,A\n")})
    with pytest.raises(DataError, match=r"campaigns\.csv.*campaign 'c1'.*more than one arm, e\.g\. 007"):
        load_dataset(folder)


def test_sent_after_the_data_end_is_an_error(tmp_path):
    folder = _folder(tmp_path, {"transactions.csv": TX, "campaigns.csv": (
        "customer_id,campaign_id,sent_at,arm\n"
        "007,c1,2024-04-01,control\n"
        "008,c2,2024-08-01,A\n")})
    with pytest.raises(DataError, match=r"sent_at lies after the data's last day 2024-06-30 "
                                        r"in row\(s\) 3 \(campaign c2\)"):
        load_dataset(folder)


def test_customers_gain_account_columns(tmp_path):
    folder = _folder(tmp_path, {"customers.csv": (
        "customer_id,MonthlyCharges,客户经理,parent_id,行业\nA,29.9,王经理,P,制造\n")})
    customers = load_dataset(folder).customers
    assert customers.loc[0, ["mrr", "account_manager", "parent_id", "industry"]].tolist() == [
        29.9, "王经理", "P", "制造"]
