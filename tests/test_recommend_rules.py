"""Personalization fixes: only rules above chance are offered, the heatmap shows the table's
numbers with readable cell text, and the report falls back to category level without a
product column."""

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from workbench import charts, recommend
from workbench.style import use_style

# 20 orders (one customer each):
#   A B  x6  -> A and B are common and bought together less often than chance
#   A    x6, B x6
#   C D  x1  -> C and D together more often than chance, but in only 1 of 20 orders
#   A E  x1  -> A and E ... once, E in one order: lift 20/13 > 1, support 5%
# Lift(A, B) = (6/20) / ((13/20) * (12/20)) = 0.769 < 1 and support 30%: the old "top" kind.
ORDERS = ["AB"] * 6 + ["A"] * 6 + ["B"] * 6 + ["CD", "AE"]


def _orders(spec=ORDERS) -> pd.DataFrame:
    rows = [(f"c{i}", f"o{i}", item) for i, items in enumerate(spec) for item in items]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "category"])
    frame["order_date"] = pd.Timestamp("2024-01-01")
    frame["amount"] = 10.0
    return frame


def test_offered_rules_are_above_chance_with_enough_support():
    pairs = recommend.association_rules(_orders(), "category")
    ab = pairs.set_index(["antecedent", "consequent"]).loc[("A", "B")]
    assert ab["lift"] == pytest.approx((6 / 20) / ((13 / 20) * (12 / 20)))  # 0.769: below chance
    offered = recommend.offered_rules(pairs, min_support=0.05, min_count=1)
    assert len(offered) and (offered["lift"] > 1).all() and (offered["support"] >= 0.05).all()
    assert set(zip(offered["antecedent"], offered["consequent"])) == {
        ("C", "D"), ("D", "C"), ("A", "E"), ("E", "A")}
    strict = recommend.offered_rules(pairs, min_support=0.10, min_count=1)
    assert strict.empty  # the above-chance pairs hold in 5% of the orders only
    key, values = recommend.rules_sentence(pairs, strict, min_support=0.10, min_count=1)
    assert key == "rec.no_rules" and values["pairs"] == f"{len(pairs)}" and values["baskets"] == "20"
    # the defaults of the report: lift above 1, at least 1% of orders and 5 orders
    default = recommend.offered_rules(pairs)
    assert default.empty  # no above-chance pair holds in 5 orders
    direct = recommend.association_rules(_orders(), "category", min_lift=1.0)
    assert (direct["lift"] > 1).all() and ("A", "B") not in set(zip(direct["antecedent"], direct["consequent"]))


def _cell_texts(fig) -> dict[tuple[int, int], tuple[str, str]]:
    ax = fig.axes[0]
    return {(round(t.get_position()[1]), round(t.get_position()[0])): (t.get_text(), t.get_color())
            for t in ax.texts}


def test_heatmap_shows_the_tables_numbers():
    use_style()
    pairs = recommend.association_rules(_orders(), "category")
    fig = recommend.plot_affinity_heatmap(pairs, value="lift")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["A", "B", "C", "D", "E"]
    texts = _cell_texts(fig)
    table = pairs.set_index(["antecedent", "consequent"])["lift"]
    for (i, j), (text, _) in texts.items():
        pair = (labels[i], labels[j])
        expected = table.get(pair, 0.0)  # never bought together: lift 0
        assert text == f"{expected:,.3f}", pair  # the table's float format
    assert texts[(0, 1)][0] == "0.769"  # A x B, the same number as the table's A -> B
    image = ax.images[0].get_array()
    assert image[0, 1] == pytest.approx(table[("A", "B")])
    assert np.ma.is_masked(image[0, 0]) or np.isnan(image[0, 0])  # no item paired with itself
    assert "lift" in ax.get_title().lower()
    plt.close(fig)


def test_heatmap_text_colour_follows_cell_luminance():
    assert charts.text_colour_for("#053061") == "white"  # dark blue cell
    assert charts.text_colour_for("#000000") == "white"
    assert charts.text_colour_for("#f7f7f7") == "black"  # the white middle
    assert charts.text_colour_for("#fddbc7") == "black"  # light red
    use_style()
    # C x D has the highest lift (20): the darkest red cell of the map
    fig = recommend.plot_affinity_heatmap(recommend.association_rules(_orders(), "category"))
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    texts = _cell_texts(fig)
    c, d = labels.index("C"), labels.index("D")
    assert texts[(c, d)] == ("20.000", "white")
    a, b = labels.index("A"), labels.index("B")
    assert texts[(a, b)][1] == "black"  # 0.769 sits near the light middle of the scale
    plt.close(fig)


def _no_product(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["product_id"])


def test_level_falls_back_to_category_without_products():
    tx = _orders()
    assert recommend.available_levels(tx) == ("category",)
    assert recommend.resolve_level(tx, "product") == "category"
    assert recommend.resolve_level(tx, "category") == "category"
    with_products = tx.assign(product_id=tx["category"] + "-1")
    assert recommend.resolve_level(with_products, "product") == "product"
    assert recommend.resolve_level(with_products.drop(columns=["category"]), "category") == "product"
    with pytest.raises(ValueError, match="neither"):
        recommend.resolve_level(tx.drop(columns=["category"]), "product")


SNAKE = re.compile(r"\b(?:customer_id|product_id|order_id|order_date|coupon_claim|email_open|"
                   r"segment_cn8|value_tier|[a-z]+_[a-z]+_(?:rate|share))\b")


def _visible_text(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html, flags=re.DOTALL)
    body = re.sub(r"<img[^>]*>", " ", body)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture(scope="module")
def no_product_demo(tmp_path_factory) -> Path:
    """A demo shop whose transactions have no product column (made once for both languages)."""
    from workbench.demo import generate_demo

    data = tmp_path_factory.mktemp("no_product")
    generate_demo(data, customers=800, seed=1, campaigns=False)
    tx = pd.read_csv(data / "transactions.csv", dtype=str, keep_default_na=False)
    _no_product(tx).to_csv(data / "transactions.csv", index=False)
    return data


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_without_product_column_works_at_category_level(no_product_demo: Path,
                                                               tmp_path: Path, lang):
    from workbench.runner import RunConfig, run

    data = no_product_demo
    tx = pd.read_csv(data / "transactions.csv", dtype=str, keep_default_na=False)
    out = tmp_path / "out"
    result = run(RunConfig(data=data, out=out, notebooks=["personalization"], jobs=1, quiet=True,
                           lang=lang))
    (report,) = result.results
    assert report.status == "ok", report.error
    html = (out / "07_personalization.html").read_text(encoding="utf-8")
    text = _visible_text(html)
    if lang == "en":
        assert "no product column, so recommendations work at" in text
        assert "Recommendations at <strong>category</strong> level" in html
    else:
        assert "在<strong>品类</strong>层面推荐" in html
    exported = pd.read_csv(out / "exports" / "recommendations.csv", dtype=str, encoding="utf-8-sig")
    categories = set(tx["category"])
    assert len(exported) and set(exported["item"]) <= categories  # categories, not products
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no warning reaches it
    log = out / "logs" / "personalization.log"  # where the runner routes a kernel's warnings
    assert not log.exists() or "Warning" not in log.read_text(encoding="utf-8")
    assert SNAKE.findall(text) == []
