"""mapping.yaml can give the order of levels (membership tiers); charts and tables follow it."""

import pandas as pd
import pytest

from workbench.io import DataError, load_dataset
from workbench.segmentation import tier_order


def _folder(tmp_path, mapping: str):
    (tmp_path / "transactions.csv").write_text(
        "customer_id,order_date,amount\n1,2024-01-01,10\n2,2024-01-02,20\n3,2024-01-03,30\n")
    (tmp_path / "customers.csv").write_text("customer_id,tier\n1,Jade\n2,Bronze\n3,Ruby\n")
    (tmp_path / "mapping.yaml").write_text(mapping, encoding="utf-8")
    return tmp_path


def test_order_section_gives_the_level_order(tmp_path):
    data = load_dataset(_folder(tmp_path, "order:\n  tier: [Bronze, Jade, Ruby]\n"))
    assert data.value_orders == {"tier": ["Bronze", "Jade", "Ruby"]}
    assert tier_order(data) == ["Bronze", "Jade", "Ruby"]


def test_order_per_table_and_values_mapping_together(tmp_path):
    mapping = ("customers:\n  values:\n    tier: {Jade: 翡翠, Bronze: 青铜, Ruby: 红宝石}\n"
               "  order:\n    tier: [青铜, 翡翠, 红宝石]\n")
    data = load_dataset(_folder(tmp_path, mapping))
    assert tier_order(data) == ["青铜", "翡翠", "红宝石"]
    assert set(data.customers["tier"]) == {"青铜", "翡翠", "红宝石"}


def test_order_naming_no_column_is_an_error(tmp_path):
    with pytest.raises(DataError, match="'order: level' names a column that no table holds"):
        load_dataset(_folder(tmp_path, "order:\n  level: [a, b]\n"))


def test_order_must_be_a_list(tmp_path):
    with pytest.raises(DataError, match="must list the levels lowest first"):
        load_dataset(_folder(tmp_path, "order:\n  tier: Bronze\n"))


def test_membership_summary_follows_the_given_order(tmp_path):
    from workbench import segmentation as seg

    data = load_dataset(_folder(tmp_path, "order:\n  tier: [Ruby, Bronze, Jade]\n"))
    tiers = data.customers.set_index("customer_id")["tier"]
    revenue = pd.Series(1.0, index=tiers.index)
    table = seg.membership_summary(tiers, revenue, order=tier_order(data))
    first_column = table.iloc[:, 0] if "tier" not in table else table["tier"]
    assert [str(v) for v in first_column][:3] == ["Ruby", "Bronze", "Jade"]
