"""The 10_campaigns notebook and its workflow on a small planted demo, in both languages.

The loader does not read a campaigns table yet, so the notebook's cells run in-process with the
planted log attached to the loaded dataset (``dataset.campaigns``), as the loader will.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from workbench import report
from workbench.campaigns import (
    CAMPAIGN_EXPORT_COLUMNS,
    DNC_EXPORT_COLUMNS,
    analyse,
    campaign_outcomes,
    campaigns_export,
    check_campaigns,
    measured_uplift_by_segment,
)
from workbench.campaigns.text import text
from workbench.demo_campaigns import plant_campaigns
from workbench.locales.campaigns import ENTRIES

matplotlib.use("Agg")
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_campaigns.ipynb"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from workbench.demo import generate_demo

    folder = tmp_path_factory.mktemp("campaign_nb")
    generate_demo(folder, customers=1500, seed=2, campaigns=False)  # planted below
    tx = pd.read_csv(folder / "transactions.csv", dtype=str, keep_default_na=False)
    tx["amount"] = tx["amount"].astype(float)
    planted = plant_campaigns(tx, pd.read_csv(folder / "customers.csv", dtype=str), seed=3)
    planted.transactions.to_csv(folder / "transactions.csv", index=False)
    planted.effects.to_csv(folder / "truth" / "campaign_effects.csv", index=False)
    return folder, planted


def _run(folder: Path, out: Path, lang: str, campaigns, monkeypatch) -> str:
    original = report.start

    def start(*args, **kwargs):
        ctx = original(*args, **kwargs)
        ctx.dataset.campaigns = campaigns
        return ctx

    monkeypatch.setattr(report, "start", start)
    shown: list[str] = []
    monkeypatch.setattr(report, "_display", lambda obj: shown.append(getattr(obj, "data", "")
                                                                     if hasattr(obj, "data") else "<figure>"))
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    namespace: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        exec("".join(cell["source"]), namespace)  # noqa: S102 - the notebook's own cells
        if "parameters" in cell["metadata"].get("tags", []):
            namespace.update(data_dir=str(folder), output_dir=str(out), lang=lang, seed=0,
                             learner="two_model")  # the faster learner; x_learner: demo tests
    return "\n".join(str(s) for s in shown)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notebook_exports_and_says_why(demo, tmp_path, monkeypatch, lang):
    folder, planted = demo
    html = _run(folder, tmp_path, lang, planted.campaigns, monkeypatch)
    exports = tmp_path / "exports"
    table = pd.read_csv(exports / "campaigns.csv", encoding="utf-8-sig")
    assert list(table.columns[:len(CAMPAIGN_EXPORT_COLUMNS)]) == CAMPAIGN_EXPORT_COLUMNS
    assert (table["segment"] == "all").sum() == 3
    dnc = pd.read_csv(exports / "do_not_contact.csv", encoding="utf-8-sig", dtype={"customer_id": str})
    assert list(dnc.columns[:len(DNC_EXPORT_COLUMNS)]) == DNC_EXPORT_COLUMNS
    assert (dnc["uplift_high"] < 0).all()
    nxt = pd.read_csv(exports / "next_campaign.csv", encoding="utf-8-sig", dtype={"customer_id": str})
    assert set(nxt["arm"]) == {"control", "treatment"} and nxt["customer_id"].is_unique
    assert not set(nxt["customer_id"]) & set(dnc.loc[dnc["campaign_id"] == "winback_coupon", "customer_id"])
    metrics = json.loads((tmp_path / "metrics" / "campaigns.json").read_text(encoding="utf-8"))
    assert metrics["campaigns"] == 3 and metrics["next_campaign"]["control"] == (nxt["arm"] == "control").sum()
    # the closing note puts the planted effect beside the measured one
    marker = "planted" if lang == "en" else "预设"
    assert html.count(marker) >= 3
    assert ("two-proportion" in html) if lang == "en" else ("两比例" in html)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notebook_without_a_campaign_log_says_so(demo, tmp_path, monkeypatch, lang):
    html = _run(demo[0], tmp_path, lang, None, monkeypatch)
    assert text("camp.note.no_log", lang)[:20] in html
    table = pd.read_csv(tmp_path / "exports" / "campaigns.csv", encoding="utf-8-sig")
    assert list(table.columns) == CAMPAIGN_EXPORT_COLUMNS and table.empty
    metrics = json.loads((tmp_path / "metrics" / "campaigns.json").read_text(encoding="utf-8"))
    assert metrics["campaigns"] == 0 and metrics["notes"] == ["no_log"]


def test_campaign_without_control_is_described_with_its_reason(demo):
    log = demo[1].campaigns
    only = log[(log["campaign_id"] != "newsletter") | (log["arm"] == "newsletter")]
    result = analyse(only, demo[1].transactions, n_boot=20, learner="two_model", n_folds=3)
    row = result.effects.set_index(["campaign_id", "arm"]).loc[("newsletter", "newsletter")]
    assert row["reason"] == "no_control" and pd.isna(row["uplift"]) and row["customers"] > 0
    assert ("no_control", {"campaign": "newsletter"}) in result.notes
    exported = campaigns_export(result).set_index(["campaign_id", "arm", "segment"])
    assert pd.isna(exported.loc[("newsletter", "newsletter", "all"), "uplift"])


def test_segment_rows_and_measured_save_rates(demo):
    """Outcomes from the log alone: the run's (post-campaign) groups, and the report says so."""
    p = demo[1]
    log = campaign_outcomes(check_campaigns(p.campaigns), p.transactions)
    ids = p.truth["customer_id"].drop_duplicates()
    segments = pd.DataFrame({"customer_id": ids, "segment_cn8": ["a" if int(i) % 2 else "b" for i in ids]})
    result = analyse(log.drop(columns=["orders", "window_complete"]), None,
                     results={"segments": segments}, n_boot=20, learner="two_model", n_folds=3)
    table = campaigns_export(result)
    for (campaign, arm), part in table.groupby(["campaign_id", "arm"]):
        whole = part[part["segment"] == "all"].iloc[0]
        assert set(part["segment"]) == {"all", "a", "b"}
        assert part.loc[part["segment"] != "all", "customers"].sum() == whole["customers"]
    rates = measured_uplift_by_segment(result)
    assert rates.iloc[0]["segment"] == "all" and set(rates["segment"]) == {"all", "a", "b"}
    assert rates.iloc[0]["campaign_id"] == "winback_coupon"  # the arm worth repeating
    assert ("post_treatment_groups", {}) in result.notes


def test_groups_are_taken_the_day_before_each_campaign(demo):
    """Segments and stages from before the send: purchases after it change no group."""
    p = demo[1]
    tx = p.transactions.assign(order_date=pd.to_datetime(p.transactions["order_date"]))
    result = analyse(p.campaigns, tx, n_boot=20, learner="two_model", n_folds=3)
    codes = [c for c, _ in result.notes]
    assert "groups_before_send" in codes and "post_treatment_groups" not in codes
    out = result.outcomes
    first = pd.to_datetime(out["sent_at"]).groupby(out["campaign_id"]).transform("min")
    assert (out["groups_as_of"] == first.dt.normalize() - pd.Timedelta(days=1)).all()
    # a customer's groups equal the segmentation and lifecycle functions' own, on that day
    from workbench.lifecycle import PurchaseHistory, derive_rules
    from workbench.segmentation import segment
    from workbench.summary import up_to

    winback = out[out["campaign_id"] == "winback_coupon"]
    day = winback["groups_as_of"].iloc[0]
    own = segment(up_to(tx, day), day, k_range=(10**6,)).customers.set_index("customer_id")
    history = PurchaseHistory(tx)
    stages = history.stages(day, derive_rules(history, day)).set_index("customer_id")["stage"]
    known = winback[winback["segment_cn8"].notna()]
    assert len(known) > 0.9 * len(winback)
    ids = known["customer_id"].astype(str)
    assert (known["segment_cn8"].to_numpy() == own.loc[ids, "segment_cn8"].to_numpy()).all()
    assert (known["value_tier"].to_numpy() == own.loc[ids, "value_tier"].to_numpy()).all()
    assert (known["stage"].to_numpy() == stages.loc[ids].to_numpy()).all()
    # purchases after the first send move no one between groups
    later = tx[tx["order_date"] > out["groups_as_of"].max() + pd.Timedelta(days=1)]
    extra = later.assign(amount=later["amount"] * 50)
    again = analyse(p.campaigns, pd.concat([tx, extra], ignore_index=True), n_boot=20,
                    learner="two_model", n_folds=3)
    for column in ("segment_cn8", "value_tier", "stage"):
        assert again.outcomes[column].equals(out[column])


def test_uplift_by_stage_before_the_send_recovers_the_planted_groups(demo):
    """The planted per-customer uplift, averaged within each before-send group, lies inside
    that group's 95% interval for nearly every group (95% expected); the loyalty push's
    planted sleeping dogs (recent loyal buyers) give the loyal stage a negative interval."""
    p = demo[1]
    result = analyse(p.campaigns, p.transactions, n_boot=20, learner="two_model", n_folds=3)
    truth = p.truth.assign(customer_id=p.truth["customer_id"].astype(str))
    rows = result.outcomes.assign(customer_id=result.outcomes["customer_id"].astype(str))
    rows = rows.merge(truth[["customer_id", "campaign_id", "true_uplift"]],
                      on=["customer_id", "campaign_id"], how="left")
    covered, total = 0, 0
    for _, g in result.groups[result.groups["reason"] == ""].iterrows():
        if g["group"] == "channel":
            continue
        members = rows[(rows["campaign_id"] == g["campaign_id"]) & (rows[g["group"]] == g["value"])]
        planted = members["true_uplift"].mean()
        total += 1
        covered += g["uplift_low"] <= planted <= g["uplift_high"]
    assert total >= 20 and covered / total >= 0.8, (covered, total)
    loyal = result.groups.set_index(["campaign_id", "group", "value"]).loc[("loyalty_push", "stage", "loyal")]
    assert loyal["uplift_high"] < 0


def test_every_catalogue_entry_has_both_languages():
    for key, entry in ENTRIES.items():
        assert set(entry) == {"en", "zh"} and all(entry.values()), key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry["zh"]) or key.endswith(".auuc"), key


def test_campaigns_after_as_of_are_left_out_and_after_the_data_are_an_error(demo):
    from workbench.campaigns import CampaignError

    p = demo[1]
    loyalty_sent = pd.Timestamp(p.campaigns.loc[p.campaigns["campaign_id"] == "loyalty_push", "sent_at"].iloc[0])
    as_of = (loyalty_sent - pd.Timedelta(days=1)).date().isoformat()
    result = analyse(p.campaigns, p.transactions, as_of=as_of, n_boot=10, learner="two_model", n_folds=2)
    assert "loyalty_push" not in set(result.effects["campaign_id"])
    assert ("after_as_of", {"campaigns": "loyalty_push", "as_of": as_of}) in result.notes
    late = p.campaigns.assign(sent_at="2030-01-01 10:00:00")
    with pytest.raises(CampaignError, match="after the data's last day"):
        analyse(late, p.transactions)
