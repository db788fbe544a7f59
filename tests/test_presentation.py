"""One presentation in both languages: money, level order, labels and readable charts.

Small frames built here; every test checks what is drawn or shown (tick labels, cell text
and colour, legend order, draw order) under the Agg backend.
"""

import ast
import json
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from workbench import charts, i18n
from workbench import lifecycle as lc
from workbench import segmentation as seg
from workbench.i18n import fmt_money, fmt_number
from workbench.style import format_count_axis, format_money_axis

# Helpers added with these tests are looked up on their modules, so that against an older
# checkout each test fails on its own (AttributeError) rather than the whole file at import.

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "workbench"
NOTEBOOKS = ("00_overview", "02_segmentation", "03_lifecycle")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _tick(formatter_axis_setter, value, lang):
    fig, ax = plt.subplots()
    formatter_axis_setter(ax.yaxis, lang)
    text = ax.yaxis.get_major_formatter()(value, 0)
    plt.close(fig)
    return text


# ------------------------------------------------------------------------------ money


@pytest.mark.parametrize("value", [500, 5_000, 15_000, 150_000, 1_500_000, 12_345_678, 2.5e8,
                                   123_456_789])
def test_money_axis_agrees_with_fmt_money_in_chinese(value):
    # Same ¥, same 万/亿 thresholds and decimals as fmt_money; a tick only drops trailing zeros.
    expected = fmt_money(value, "zh")
    expected = re.sub(r"\.0+(?=[万亿]|$)", "", expected)
    expected = re.sub(r"(\.\d*?)0+(?=[万亿]|$)", r"\1", expected)
    assert _tick(format_money_axis, value, "zh") == expected


def test_money_axis_keeps_the_sign_before_the_currency():
    assert _tick(format_money_axis, -2_000, "en") == "-¥2K"
    assert _tick(format_money_axis, -15_000, "zh") == "-¥1.5万"
    assert _tick(format_money_axis, 1_250_000, "en") == "¥1.25M"
    assert _tick(format_count_axis, 12_345_678, "zh") == "1,234.6万"
    assert i18n.fmt_money_short(float("nan")) == "–"


def test_money_columns_show_fmt_money_text():
    frame = pd.DataFrame({"segment": ["a", "b"], "monetary": [5_682_191.87, 12.5],
                          "customer_share": [0.4, 0.6]})
    shown = i18n.money_columns(frame, ["monetary", "absent"], "zh")
    assert shown["monetary"].tolist() == ["¥568.2万", "¥12.50"]
    assert shown["customer_share"].tolist() == [0.4, 0.6]
    assert frame["monetary"].iloc[0] == 5_682_191.87  # the input is untouched
    assert i18n.money_columns(frame, ["monetary"], "en")["monetary"].tolist() == ["¥5,682,192", "¥12.50"]


def test_no_hand_made_currency_strings_anywhere():
    # f"¥..." or "¥" + ... beside fmt_money; i18n and style hold the one money formatter.
    pattern = re.compile(r"""f["'][^"'\n]*¥|["']¥["']\s*\+""")
    sources = {str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8")
               for path in sorted(PACKAGE.rglob("*.py"))
               if path.relative_to(PACKAGE).as_posix() not in ("i18n.py", "style.py")}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))
        sources[path.name] = "\n".join("".join(c["source"]) for c in cells["cells"]
                                       if c["cell_type"] == "code")
    offenders = {name: pattern.findall(text) for name, text in sources.items()}
    assert {k: v for k, v in offenders.items() if v} == {}


MONEY_COLUMNS = {"revenue", "monetary", "spend", "revenue_per_customer", "revenue_per_member"}


def _table_calls(notebook):
    """The ``ctx.table(...)`` calls of a report notebook."""
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    for cell in cells["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "table"):
                yield node


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_report_tables_with_money_columns_format_them(notebook):
    unformatted = []
    for call in _table_calls(notebook):
        headers = next((k.value for k in call.keywords if k.arg == "headers"), None)
        columns = {key.value for key in getattr(headers, "keys", [])} if headers is not None else set()
        if not columns & MONEY_COLUMNS:
            continue
        shown = call.args[0]
        func = getattr(shown, "func", None)
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in ("money_columns", "warning_table"):
            unformatted.append(ast.unparse(shown)[:60])
    assert unformatted == []


def test_transition_heatmap_money_cells_and_colour_bar_use_the_money_format():
    stages = ["active", "at_risk"]
    revenue = pd.DataFrame([[1_234.0, 560.0], [25_000.0, 0.0]], index=stages, columns=stages)
    fig = lc.plot_transition_heatmap(revenue, title_key="life.transition_revenue", lang="zh",
                                     money=True)
    texts = [t.get_text() for t in fig.axes[0].texts]
    # chart cells use the compact money text of the axes: fmt_money's rules, no ".00" clutter
    assert texts == ["¥1,234", "¥560", "¥2.5万", "¥0"]
    assert fig.axes[1].yaxis.get_major_formatter()(20_000, 0) == "¥2万"
    fig = lc.plot_transition_heatmap(revenue.astype(int), title_key="life.transition_counts",
                                     lang="zh")
    assert [t.get_text() for t in fig.axes[0].texts][2] == fmt_number(25_000, "zh")


def test_rfm_heatmap_cells_are_money_and_funnel_counts_localised():
    rfm = pd.DataFrame({"r_score": [1, 1, 2, 2], "f_score": [1, 2, 1, 2],
                        "monetary": [120.0, 1_500.0, 30_000.0, 80.0]})
    fig = seg.plot_rfm_heatmap(rfm, lang="zh")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(
        ["¥120", "¥1,500", "¥3万", "¥80"])
    assert fig.axes[1].yaxis.get_major_formatter()(20_000, 0) == "¥2万"
    steps = pd.DataFrame({"step": ["acquired", "activated"], "customers": [12_345, 6_000],
                          "conversion": [np.nan, 0.486]})
    fig = lc.plot_funnel(steps, lang="zh")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["1.2万", "6,000  (49%)"]


def test_cumulative_revenue_axis_is_money():
    per_customer = pd.DataFrame([[100.0, 250.0], [80.0, np.nan]],
                                index=pd.period_range("2024-01", periods=2, freq="M"), columns=[0, 1])
    fig = lc.plot_cumulative_revenue(per_customer, lang="en")
    assert fig.axes[0].yaxis.get_major_formatter()(1_500, 0) == "¥1.5K"


def test_early_warning_sentence_and_table_use_fmt_money():
    warning = pd.DataFrame({"customer_id": ["001", "002"], "previous_stage": ["loyal", "newcomer"],
                            "stage": ["at_risk", "churned"], "days_since_last": [40, 200],
                            "typical_gap_days": [12.5, np.nan], "spend": [52_000.0, 890.5],
                            "action": ["x", "y"]})
    assert lc.warning_values(warning, "zh") == {"n": "2", "spend": "¥5.3万"}
    shown = lc.warning_table(warning, "zh")
    assert shown["spend"].tolist() == ["¥5.2万", "¥890.50"]
    assert shown["previous_stage"].tolist() == ["忠诚", "新进入（此前未知）"]
    assert shown["stage"].tolist() == ["沉睡预警", "流失"]


# ------------------------------------------------------------------------------ level order


def test_ordered_levels_ladders_bands_and_given_order():
    assert charts.ordered_levels(["黄金", "–", "普通", "铂金", "白银"]) == ["普通", "白银", "黄金", "铂金", "–"]
    assert charts.ordered_levels(["Gold", "silver", "Platinum", "Regular"]) == [
        "Regular", "silver", "Gold", "Platinum"]
    assert charts.ordered_levels(["VIP", "member", "regular"]) == ["regular", "member", "VIP"]
    assert charts.ordered_levels(["≥55", "25–34", "<25", "35-44"]) == ["<25", "25–34", "35-44", "≥55"]
    assert charts.ordered_levels(["(40.0, 60.0]", "(20.0, 40.0]", "55+"]) == [
        "(20.0, 40.0]", "(40.0, 60.0]", "55+"]
    assert charts.ordered_levels(["上海", "北京"]) is None  # no natural order: sort by the measure
    assert charts.ordered_levels(["普通", "白银", "金卡"], order=["白银", "普通"]) == ["白银", "普通", "金卡"]


def _people(n_per_group=4):
    ages = [19, 23, 30, 33, 41, 44, 50, 52, 60, 70, np.nan, 28]
    tiers = ["铂金", "普通", "黄金", "白银", "普通", "铂金", "白银", "黄金", "普通", "白银", None, "普通"]
    # spend chosen so that revenue order differs from the ladder and from the age order
    spend = [50.0, 900, 30, 700, 20, 10, 600, 40, 800, 5, 70, 300]
    return pd.DataFrame({"customer_id": [f"{i:03d}" for i in range(12)], "age": ages,
                         "tier": tiers, "monetary": spend,
                         "segment_cn8": ["general_winback", "important_value"] * 6})


def test_age_bands_in_age_order_with_en_dash_in_table_and_chart():
    cut = seg.demographic_cuts(_people(), "age", "segment_cn8", "en")
    assert cut["age"].tolist() == ["<25", "25–34", "35–44", "45–54", "≥55", "–"]
    fig = seg.plot_demographic(cut, "age", lang="en")
    top_to_bottom = [t.get_text() for t in fig.axes[0].get_yticklabels()][::-1]
    assert top_to_bottom == ["<25", "25–34", "35–44", "45–54", "≥55", "–"]
    assert list(cut.columns[-2:]) == ["Important value", "General win-back"]  # scheme order


def test_membership_levels_in_ladder_order_in_cuts_chart_and_table():
    people = _people()
    cut = seg.demographic_cuts(people, "tier", "segment_cn8", "zh")
    assert cut["tier"].tolist() == ["普通", "白银", "黄金", "铂金", "–"]
    fig = seg.plot_demographic(cut, "tier", lang="zh")
    top_to_bottom = [t.get_text() for t in fig.axes[0].get_yticklabels()][::-1]
    assert top_to_bottom == ["普通", "白银", "黄金", "铂金", "–"]
    table = seg.membership_summary(people["tier"], people["monetary"])
    assert table["tier"].tolist() == ["普通", "白银", "黄金", "铂金", "–"]


def test_mapping_order_wins_over_the_known_ladder():
    people = _people()
    mapped = ["铂金", "黄金", "白银", "普通"]  # a client's mapping.yaml listing the top first
    dataset = SimpleNamespace(customers=people[["customer_id", "tier"]],
                              value_orders={"tier": mapped})
    assert seg.tier_order(dataset) == mapped
    table = seg.membership_table(people, people[["customer_id", "tier"]], seg.tier_order(dataset))
    assert table["tier"].tolist() == [*mapped, "–"]
    ordered = people.assign(tier=pd.Categorical(people["tier"], categories=["白银", "普通", "黄金", "铂金"],
                                                ordered=True))
    assert seg.tier_order(SimpleNamespace(customers=ordered)) == ["白银", "普通", "黄金", "铂金"]
    assert seg.membership_summary(ordered["tier"], ordered["monetary"])["tier"].tolist()[:2] == ["白银", "普通"]
    assert seg.tier_order(SimpleNamespace(customers=people)) is None  # nothing recorded: ladder


def test_unordered_attributes_sorted_by_revenue_per_customer():
    people = _people().assign(city=["上海", "北京", "成都"] * 4)
    cut = seg.demographic_cuts(people, "city", "segment_cn8", "zh")
    assert cut["revenue_per_customer"].is_monotonic_decreasing
    fig = seg.plot_demographic(cut, "city", lang="zh")
    top_to_bottom = [t.get_text() for t in fig.axes[0].get_yticklabels()][::-1]
    assert top_to_bottom == cut["city"].tolist()


# ------------------------------------------------------------------------------ labels


def test_lorenz_labels_are_translated():
    fig = seg.plot_lorenz(pd.Series([1.0, 2, 3, 10, 50]), lang="zh")
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("基尼系数 ") and legend[1] == "完全平均"
    annotation = [t.get_text() for t in ax.texts]
    assert len(annotation) == 1 and annotation[0].startswith("前20%客户")
    assert not re.search(r"[A-Za-z]", "".join(legend + annotation))


def test_event_names_get_catalogue_labels_and_unknown_ones_stay_as_given():
    assert i18n.label_or_name("event", "coupon_claim", "zh") == "领取优惠券"
    assert i18n.label_or_name("event", "email_open", "en") == "Email opened"
    assert i18n.label_or_name("event", "visit", "zh") == "访问"
    assert i18n.label_or_name("event", "wechat_share", "zh") == "wechat_share"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_report_narrative_names_no_raw_columns(notebook):
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    shown = [c for c in cells["cells"] if c["cell_type"] == "markdown"
             and "analyst-only" not in c.get("metadata", {}).get("tags", [])]
    code_spans = [span for c in shown for span in re.findall(r"`([^`]+)`", "".join(c["source"]))]
    assert code_spans == []


def test_top_customer_table_translates_every_column():
    for call in _table_calls("02_segmentation"):
        selected = [e.value for n in ast.walk(call.args[0]) if isinstance(n, ast.List)
                    for e in n.elts if isinstance(e, ast.Constant)]
        headers = next(k.value for k in call.keywords if k.arg == "headers")
        named = {k.value for k in headers.keys}
        assert set(selected) - {"segment", "revenue", "value_tier"} <= named, selected



# ------------------------------------------------------------------------------ readable charts


def test_text_colour_follows_relative_luminance():
    assert charts.text_colour_for("white") == "black"
    assert charts.text_colour_for("#F0E442") == "black"  # yellow is light
    assert charts.text_colour_for("#08306B") == "white"  # dark blue
    assert charts.text_colour_for((0.0, 0.27, 0.16, 1.0)) == "white"  # darkest YlGn
    fig, ax = plt.subplots()
    values = np.array([[0.0, 50.0], [np.nan, 100.0]])
    image = ax.imshow(values, cmap="Blues")
    texts = charts.annotate_heatmap(ax, image, values, lambda v: f"{v:.0f}")
    plt.close(fig)
    assert [t.get_text() for t in texts] == ["0", "50", "100"]  # the empty cell stays blank
    assert [t.get_color() for t in texts] == ["black", "black", "white"]


def _readable_on(rgba):
    """Reference: the text colour with the higher WCAG contrast ratio on ``rgba``."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def _assert_cells_readable(ax, image):
    assert ax.texts
    for text in ax.texts:
        j, i = text.get_position()
        value = image.get_array()[round(i), round(j)]
        assert text.get_color() == _readable_on(image.cmap(image.norm(value))), text.get_text()


def test_heatmap_text_colour_is_chosen_by_the_cell_colour():
    stages = ["new", "active", "loyal"]
    # 55% of the maximum is a mid blue: black text reads better there than white.
    counts = pd.DataFrame([[100, 55, 0], [20, 80, 5], [0, 10, 60]], index=stages, columns=stages)
    fig = lc.plot_transition_heatmap(counts, title_key="life.transition_counts")
    ax, image = fig.axes[0], fig.axes[0].images[0]
    _assert_cells_readable(ax, image)
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["100"] == "white" and colours["55"] == "black" and colours["0"] == "black"

    retention = pd.DataFrame([[1.0, 0.95, 0.10], [1.0, 0.05, np.nan]],
                             index=pd.period_range("2024-01", periods=2, freq="M"),
                             columns=[0, 1, 2])
    fig = lc.plot_cohort_heatmap(retention)
    _assert_cells_readable(fig.axes[0], fig.axes[0].images[0])
    assert {t.get_text(): t.get_color() for t in fig.axes[0].texts}["95"] == "white"

    rfm = pd.DataFrame({"r_score": [1, 1, 2, 2], "f_score": [1, 2, 1, 2],
                        "monetary": [100.0, 400.0, 500.0, 1000.0]})
    fig = seg.plot_rfm_heatmap(rfm)
    _assert_cells_readable(fig.axes[0], fig.axes[0].images[0])


def test_cluster_map_draws_largest_cluster_first_and_small_ones_on_top():
    rng = np.random.default_rng(0)
    sizes = {0: 30, 1: 300, 2: 8, 3: 90}
    labels = pd.Series(np.repeat(list(sizes), list(sizes.values())))
    coords = rng.normal(size=(len(labels), 2))
    personas = pd.DataFrame({"cluster": list(sizes), "persona": ["A", "B", "C", "D"]})
    fig = seg.plot_cluster_map(coords, labels, personas)
    ax = fig.axes[0]
    drawn = [(c.get_label(), c.get_zorder(), c.get_alpha(), len(c.get_offsets()))
             for c in ax.collections]
    # draw order: biggest first, then smaller and smaller, each above the previous
    assert [d[0] for d in drawn] == ["1: B", "3: D", "0: A", "2: C"]
    zorders = [d[1] for d in drawn]
    assert zorders == sorted(zorders) and len(set(zorders)) == 4
    assert all(0 < d[2] < 1 for d in drawn)
    assert [d[3] for d in drawn] == [300, 90, 30, 8]
    # the legend still lists clusters by number, with distinct colours
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0: A", "1: B", "2: C", "3: D"]
    colours = {tuple(c.get_facecolor()[0][:3]) for c in ax.collections}
    assert len(colours) == 4
