"""What changed since the last run: hand-built results of two runs, then end to end."""

import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.changes import (
    CHANGE_CODES,
    PreviousRunError,
    check_previous,
    compare_runs,
    kpi_deltas,
)
from workbench.cli import main
from workbench.results import write_result

CN8 = "important_value"


def _segments(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    ids, segs, tiers = zip(*rows)
    n = len(ids)
    return pd.DataFrame({"customer_id": ids, "recency_days": [10] * n, "frequency": [2] * n,
                         "monetary": [100.0] * n, "r_score": [3] * n, "f_score": [3] * n,
                         "m_score": [3] * n, "segment_cn8": segs, "segment_en11": ["x"] * n,
                         "value_tier": tiers, "cluster": [0] * n, "persona": ["p"] * n})


def _stages(rows: dict[str, str]) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({"customer_id": list(rows), "stage": list(rows.values()),
                         "previous_stage": ["active"] * n,
                         "first_purchase": ["2026-01-01"] * n, "last_purchase": ["2026-06-01"] * n,
                         "days_since_last": [30] * n, "typical_gap_days": [20.0] * n})


def _clv(rows: dict[str, str]) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({"customer_id": list(rows), "frequency": [1] * n, "recency": [5.0] * n,
                         "T": [10.0] * n, "prob_alive": [0.5] * n, "prob_alive_previous": [0.6] * n,
                         "expected_purchases": [1.0] * n,
                         "expected_avg_spend": [50.0] * n, "clv": [100.0] * n,
                         "clv_tier": list(rows.values())})


def _churn(rows: dict[str, float]) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({"customer_id": list(rows), "churn_probability": [0.2] * n,
                         "health_score": list(rows.values()), "value_at_stake": [10.0] * n,
                         "top_reason": ["recency"] * n, "recommended_action": ["none"] * n,
                         "expected_value": [1.0] * n})


def _write_run(folder: Path, *, stages, segments, clv, churn, kpis, as_of=None) -> Path:
    folder.mkdir(parents=True)
    write_result("stages", _stages(stages), folder)
    write_result("segments", _segments(segments), folder)
    write_result("clv", _clv(clv), folder)
    write_result("churn", _churn(churn), folder)
    (folder / "metrics.json").write_text(json.dumps({"overview": {"kpis": kpis}}))
    if as_of:
        (folder / "manifest.json").write_text(
            json.dumps({"parameters": {"as_of_resolved": as_of}}))
    return folder


@pytest.fixture
def two_runs(tmp_path):
    old = _write_run(
        tmp_path / "old",
        stages={"c1": "active", "c2": "at_risk", "c3": "loyal", "c4": "at_risk"},
        segments=[("c1", CN8, "A"), ("c2", "general_value", "B"), ("c3", CN8, "B"),
                  ("c4", "general_retention", "C")],
        clv={"c1": "B", "c2": "B", "c3": "B", "c4": "D"},
        churn={"c1": 80.0, "c2": 70.0, "c3": 90.0, "c4": 60.0},
        kpis={"customers": 100, "active_customers": 40, "revenue_12m": 1000.0,
              "repeat_rate": 0.30},
        as_of="2026-09-30")
    new = _write_run(
        tmp_path / "new",
        # c2 stays at risk (not entered); c5 is new to this run
        stages={"c1": "at_risk", "c2": "at_risk", "c3": "churned", "c4": "churned",
                "c5": "at_risk"},
        segments=[("c1", "important_retention", "A"), ("c2", "general_value", "B"),
                  ("c3", CN8, "B"), ("c4", "general_winback", "C"),
                  ("c5", "general_development", "C")],
        # c3 is high value through its CLV tier only
        clv={"c1": "B", "c2": "B", "c3": "A", "c4": "D", "c5": "D"},
        # c1: -15 (tier A); c2: -30 but not high value; c3: -10.5 (CLV A); c4 not high value
        churn={"c1": 65.0, "c2": 40.0, "c3": 79.5, "c4": 30.0, "c5": 50.0},
        kpis={"customers": 110, "active_customers": 38, "revenue_12m": 1250.5,
              "repeat_rate": 0.35})
    return old, new


def test_changes_between_hand_built_runs(two_runs):
    old, new = two_runs
    changes = compare_runs(old, new)
    got = [tuple(None if pd.isna(v) else v for v in row)
           for row in changes.rows.itertuples(index=False)]
    assert got == [
        ("c1", "entered_at_risk", "active", "at_risk"),
        ("c5", "entered_at_risk", None, "at_risk"),
        ("c3", "entered_churned", "loyal", "churned"),
        ("c4", "entered_churned", "at_risk", "churned"),
        ("c1", "health_fell", "80", "65"),
        ("c3", "health_fell", "90", "79.5"),
        ("c1", "segment_moved", CN8, "important_retention"),
        ("c4", "segment_moved", "general_retention", "general_winback"),
    ]
    assert changes.counts() == {"entered_at_risk": 2, "entered_churned": 2, "health_fell": 2,
                                "segment_moved": 2}
    metrics = changes.to_metrics()
    assert metrics["segment_migrations"] == {
        "general_retention": {"general_value": 0, "general_winback": 1,
                              "important_retention": 0, "important_value": 0},
        "general_value": {"general_value": 1, "general_winback": 0,
                          "important_retention": 0, "important_value": 0},
        "important_value": {"general_value": 0, "general_winback": 0,
                            "important_retention": 1, "important_value": 1},
    }
    assert metrics["previous"] == {"folder": str(old.resolve()), "as_of": "2026-09-30"}
    kpis = metrics["kpis"]
    assert kpis["customers"] == {"before": 100, "now": 110, "change": 10}
    assert kpis["active_customers"]["change"] == -2
    assert kpis["revenue_12m"] == {"before": 1000.0, "now": 1250.5, "change": 250.5}
    assert kpis["repeat_rate"]["change"] == pytest.approx(0.05)
    json.dumps(metrics, allow_nan=False)  # what metrics.json needs


def test_health_drop_is_a_parameter(two_runs):
    old, new = two_runs
    default = compare_runs(old, new).rows.query("change == 'health_fell'")
    assert "c3" in set(default["customer_id"])  # 10.5 points: more than the default 10
    changes = compare_runs(old, new, health_drop=12.0)
    fell = changes.rows.query("change == 'health_fell'")
    assert fell["customer_id"].tolist() == ["c1"]  # c3 fell 10.5 points only
    assert changes.to_metrics()["health_threshold"] == 12.0
    legacy = compare_runs(old, new, threshold=12.0)  # the former name, still accepted
    pd.testing.assert_frame_equal(legacy.rows, changes.rows)


def test_kpi_deltas_with_a_missing_run():
    deltas = kpi_deltas(None, {"overview": {"kpis": {"customers": 5}}})
    assert deltas["customers"] == {"before": None, "now": 5, "change": None}
    assert deltas["revenue_12m"] == {"before": None, "now": None, "change": None}


def test_previous_folder_without_results(tmp_path):
    with pytest.raises(PreviousRunError, match="nope"):
        check_previous(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PreviousRunError, match="no results/ folder"):
        check_previous(tmp_path / "empty")


TOPICS = "segmentation,lifecycle,clv,churn,overview"


@pytest.fixture(scope="module")
def demo_runs(tiny_demo, tmp_path_factory):
    from workbench.demo import month_earlier

    base = tmp_path_factory.mktemp("changes")
    cutoff = month_earlier(tiny_demo, base / "earlier")
    assert main(["run", "--data", str(base / "earlier"), "--out", str(base / "old"), "--quiet",
                 "--notebooks", TOPICS]) == 0
    assert main(["run", "--data", str(tiny_demo), "--out", str(base / "new"), "--quiet",
                 "--notebooks", TOPICS, "--previous", str(base / "old")]) == 0
    return base, cutoff


def test_month_earlier_snapshot(demo_runs, tiny_demo):
    base, cutoff = demo_runs
    tx = pd.read_csv(base / "earlier" / "transactions.csv", dtype=str)
    full = pd.read_csv(tiny_demo / "transactions.csv", dtype=str)
    last = pd.to_datetime(full["order_date"]).max().normalize()
    assert pd.Timestamp(cutoff) == last - pd.Timedelta(days=30)
    assert pd.to_datetime(tx["order_date"]).max() < pd.Timestamp(cutoff) + pd.Timedelta(days=1)
    assert 0 < len(tx) < len(full)
    assert tx["customer_id"].str.len().eq(full["customer_id"].str.len().iloc[0]).all()


def test_run_with_previous_lists_changes(demo_runs):
    base, cutoff = demo_runs
    new = base / "new"
    table = pd.read_csv(new / "exports" / "changes.csv", dtype=str, encoding="utf-8-sig")
    assert list(table.columns) == ["customer_id", "change", "change_label", "before", "now"]
    assert set(table["change"]) <= set(CHANGE_CODES) and len(table)
    metrics = json.loads((new / "metrics.json").read_text(encoding="utf-8"))
    changes = metrics["changes"]
    assert changes["counts"] == table["change"].value_counts().reindex(
        list(CHANGE_CODES), fill_value=0).to_dict()
    assert changes["previous"]["as_of"] == cutoff.isoformat()
    assert changes["kpis"]["customers"]["now"] == metrics["overview"]["kpis"]["customers"]
    moved = sum(sum(row.values()) for row in changes["segment_migrations"].values())
    assert moved >= changes["counts"]["segment_moved"]
    index = (new / "index.html").read_text(encoding="utf-8")
    assert "Since the last run" in index and "Entered at risk" in index
    assert "Since the last run" not in (base / "old" / "index.html").read_text(encoding="utf-8")
    # the runner hands --previous to the overview, which shows the migration matrix
    overview = (new / "00_overview.html").read_text(encoding="utf-8")
    assert "Segment migrations" in overview and "Last run" in overview
    assert "Segment migrations" not in (base / "old" / "00_overview.html").read_text("utf-8")
    def injected(stem):
        cells = json.loads((new / "notebooks" / f"{stem}.ipynb").read_text("utf-8"))["cells"]
        return "".join(next(c["source"] for c in cells
                            if "injected-parameters" in c["metadata"].get("tags", [])))

    assert "previous = " in injected("00_overview")
    assert "previous" not in injected("02_segmentation")  # only notebooks that declare it


def test_missing_previous_exits_2(tiny_demo, tmp_path, capsys):
    missing = tmp_path / "no_such_run"
    code = main(["run", "--data", str(tiny_demo), "--out", str(tmp_path / "out"), "--quiet",
                 "--notebooks", "overview", "--previous", str(missing)])
    assert code == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    config = tmp_path / "run.yaml"
    (tmp_path / "plain").mkdir()
    config.write_text(f"previous: {tmp_path / 'plain'}\n", encoding="utf-8")
    assert main(["run", "--data", str(tiny_demo), "--out", str(tmp_path / "out"), "--quiet",
                 "--config", str(config)]) == 2
    assert "no results/ folder" in capsys.readouterr().err
