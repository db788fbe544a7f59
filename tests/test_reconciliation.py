"""One run, one truth: every count of the same thing is equal across ``metrics.json``, the
exports and the HTML a stakeholder reads, and every customer has the same segment, stage and
tier in every export and card. Run on the whole suite, in English and in Chinese."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests._html import counts_by_label, number, read_page
from workbench.i18n import fmt_money, t

ACTIVE = ("new", "active", "loyal", "reactivated")


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module", params=["en", "zh"])
def run(request, rendered):
    lang = request.param
    out = rendered[lang]
    return {"lang": lang, "out": out, "metrics": json.loads((out / "metrics.json").read_text()),
            "customers": _read(out / "exports" / "customers.csv")}


def _counts(column: pd.Series) -> dict[str, int]:
    return {k: int(v) for k, v in column[column != ""].value_counts().items()}


def _truth(run) -> dict[str, int]:
    """The counts, from the one row per customer of customers.csv."""
    c = run["customers"]
    stages = _counts(c["stage"])
    churn = pd.to_numeric(c["churn_probability"], errors="coerce")
    alive = pd.to_numeric(c["prob_alive"], errors="coerce")
    return {"bought": int((pd.to_numeric(c["orders"], errors="coerce") > 0).sum()),
            "active": sum(stages.get(s, 0) for s in ACTIVE),
            "at_risk": stages.get("at_risk", 0), "churned": stages.get("churned", 0),
            "churn_model": int((churn > 0.5).sum()), "alive_model": int((alive < 0.5).sum())}


def test_metrics_agree_with_customers_csv(run):
    m, truth = run["metrics"], _truth(run)
    assert truth["bought"] > 0 and truth["churned"] > 0 and truth["churn_model"] > 0
    rec = m["overview"]["reconciliation"]
    for code, count in truth.items():
        assert rec[code] == count, code
    assert rec["registered"] == len(_read(run["out"] / "exports" / "customers.csv")) == \
        m["customers"]["customers"]
    assert m["overview"]["kpis"]["customers"] == truth["bought"]
    assert m["segmentation"]["customers"] == m["clv"]["customers"] == truth["bought"]
    assert m["lifecycle"]["customers_per_stage"] == {
        k: v for k, v in {**dict.fromkeys(m["lifecycle"]["customers_per_stage"], 0),
                          **_counts(run["customers"]["stage"])}.items()}
    assert m["segmentation"]["customers_per_segment_cn8"] == _counts(run["customers"]["segment_cn8"])
    assert m["segmentation"]["customers_per_segment_en11"] == \
        _counts(run["customers"]["segment_en11"])
    assert m["churn"]["high_risk_customers"] == truth["churn_model"]
    assert m["clv"]["customers"] - m["clv"]["likely_active"] == truth["alive_model"]


def test_actions_export_agrees_with_metrics_and_customers(run):
    actions = _read(run["out"] / "exports" / "actions.csv")
    m = run["metrics"]["actions"]
    assert 0 < len(actions) == m["contacts"] <= 200  # the default budget of contacts
    assert actions["customer_id"].is_unique
    assert actions["rank"].astype(int).tolist() == list(range(1, len(actions) + 1))
    assert set(actions["customer_id"]) <= set(run["customers"]["customer_id"])
    assert _counts(actions["action"]) == m["by_action"]
    assert _counts(actions["source"]) == m["by_source"]
    assert round(pd.to_numeric(actions["expected_value"]).sum(), 0) == round(m["expected_value"], 0)


def _labels(prefix: str, codes, lang: str) -> dict[str, str]:
    return {code: t(f"{prefix}.{code}", lang) for code in codes}


def test_html_tables_show_the_same_counts(run):
    lang, out, truth = run["lang"], run["out"], _truth(run)
    c = run["customers"]
    # the overview's reconciliation table
    overview = read_page(out / "00_overview.html")
    rec_labels = {code: t(f"ov.rec.{code}", lang) for code in
                  ("bought", "active", "at_risk", "churned", "churn_model", "alive_model")}
    tables = counts_by_label(overview, rec_labels)
    assert tables, "the overview shows no reconciliation table"
    assert tables[0] == {k: float(v) for k, v in truth.items()}
    # lifecycle's stage table, segmentation's segment tables, CLV's tier table
    expected = {
        "03_lifecycle.html": ("life.stage", _counts(c["stage"])),
        "02_segmentation.html": ("seg.cn8", _counts(c["segment_cn8"])),
        "04_clv.html": ("clv.tier", _counts(c["clv_tier"])),
    }
    expected_en11 = _counts(c["segment_en11"])
    for page_name, (prefix, counts) in expected.items():
        page = read_page(out / page_name)
        shown = counts_by_label(page, _labels(prefix, counts, lang))
        assert shown, f"{page_name} shows no table of {prefix} counts"
        assert shown[0] == {k: float(v) for k, v in counts.items()}, page_name
    shown = counts_by_label(read_page(out / "02_segmentation.html"),
                            _labels("seg.en11", expected_en11, lang))
    assert shown and shown[0] == {k: float(v) for k, v in expected_en11.items()}


def test_actions_report_states_the_exported_list(run):
    out, lang = run["out"], run["lang"]
    actions = _read(out / "exports" / "actions.csv")
    page = read_page(out / "08_actions.html")
    rank_header = t("act.col.rank", lang)
    listed = [table for table in page.tables if table and table[0] and table[0][0] == rank_header]
    assert listed, "08_actions shows no ranked list"
    rows = listed[0][1:]
    shown_ids = [row[1] for row in rows]
    assert shown_ids == actions["customer_id"].tolist()[:len(shown_ids)] and shown_ids
    text = " ".join(" ".join(page.text).split())
    m = run["metrics"]["actions"]
    assert fmt_money(m["expected_value"], lang) in text  # what the budget captures, as exported
    assert str(m["contacts"]) in text


def test_every_card_shows_the_customers_results(run):
    lang, c = run["lang"], run["customers"].set_index("customer_id")
    page = read_page(run["out"] / "07_personalization.html")
    title = t("profile.title", lang, customer_id="")
    cards = {name[len(title):].strip(): rows for name, rows in page.cards.items()
             if name.startswith(title.strip())}
    assert len(cards) >= 5
    for customer, rows in cards.items():
        facts = {row[0]: row[1] for row in rows if len(row) == 2}
        want = c.loc[customer]
        assert facts[t("profile.segment", lang)] == t(f"seg.cn8.{want['segment_cn8']}", lang)
        assert facts[t("profile.stage", lang)] == t(f"life.stage.{want['stage']}", lang)
        for key, column in (("profile.p_alive", "prob_alive"),
                            ("profile.churn_risk", "churn_probability")):
            if want[column]:
                assert abs(number(facts[t(key, lang)]) - 100 * float(want[column])) <= 0.5, \
                    (customer, column)
        if want["health_score"]:
            assert abs(number(facts[t("profile.health", lang)]) - float(want["health_score"])) <= 0.5


def test_every_export_gives_a_customer_the_same_codes(run):
    out, c = run["out"] / "exports", run["customers"].set_index("customer_id")
    checked = 0
    for path in sorted(out.glob("*.csv")):
        if path.name in ("customers.csv", "changes.csv"):
            continue
        frame = _read(path)
        if "customer_id" not in frame:
            continue
        for column in ("segment_cn8", "segment_en11", "value_tier", "stage", "clv_tier"):
            if column in frame:
                joined = frame[["customer_id", column]].drop_duplicates()
                assert (c.loc[joined["customer_id"], column].to_numpy()
                        == joined[column].to_numpy()).all(), (path.name, column)
                checked += 1
    assert checked >= 4
