"""The overview's "Since the last run" section and its one door to other reports' metrics."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.test_changes import two_runs  # noqa: F401 - the hand-built pair of runs
from workbench import overview


class _Ctx:
    """Records what a report context is asked to show."""

    def __init__(self, lang: str = "en") -> None:
        self.lang, self.shown = lang, []

    def heading(self, key, **values):
        self.shown.append(("heading", key))

    def say(self, key, **values):
        self.shown.append(("say", key, values))

    def kpis(self, items):
        self.shown.append(("kpis", list(items)))

    def table(self, frame, **options):
        self.shown.append(("table", frame))


def test_no_previous_run_shows_nothing(tmp_path):
    assert overview.changes_since("", tmp_path) is None
    ctx = _Ctx()
    overview.show_changes(ctx, None)
    assert ctx.shown == []


def test_changes_section_from_two_runs(two_runs):  # noqa: F811
    old, new = two_runs
    kpis = {"customers": 120, "active_customers": 41, "revenue_12m": 1500.0, "repeat_rate": 0.4}
    changes = overview.changes_since(old, new, kpis=kpis, health_drop=12.0)
    listed = overview.change_customers(changes, "en").set_index("customer_id")
    # entered at risk / churned, and c1 (tier A) whose health fell 15 > 12; c3 fell 10.5 only
    assert set(listed.index) == {"c1", "c3", "c4", "c5"}
    health = listed[listed["change"].str.startswith("High-value")]
    assert health.index.tolist() == ["c1"] and health.iloc[0]["before"] == "80"
    assert "12 points" in health.iloc[0]["change"]
    assert listed.loc["c5", "before"] == "–" and listed.loc["c5", "now"] == "At risk"
    deltas = overview.kpi_delta_table(changes, "en").set_index("kpi")
    assert deltas.loc["Customers who bought", "change"] == "+20"  # this run's KPIs, not metrics.json's 110
    assert deltas.loc["Repeat-purchase rate", "change"] == "+10.0 pp"
    matrix = overview.migration_table(changes, "en")
    first = matrix.columns[0]
    row = matrix.set_index(first).loc["Important value"]
    assert row.sum() == 2 and row["Important value"] == 1  # c1 moved, c3 stayed
    assert matrix.columns.name is None and first == "Last run \\ this run"
    ctx = _Ctx()
    overview.show_changes(ctx, changes)
    kinds = [item[0] for item in ctx.shown]
    assert kinds[:3] == ["heading", "say", "kpis"] and kinds.count("table") == 3
    cards = {label: value for label, value, _ in ctx.shown[2][1]}
    assert cards["Entered churned"] == "2"


def test_read_metrics_reads_the_part_then_the_merged_file(tmp_path):
    assert overview.read_metrics(tmp_path, "clv") is None
    (tmp_path / "metrics.json").write_text(json.dumps({"clv": {"headline": {"en": "merged"}}}))
    assert overview.read_metrics(tmp_path, "clv") == {"headline": {"en": "merged"}}
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "clv.json").write_text(json.dumps({"headline": {"en": "part"}}))
    assert overview.read_metrics(tmp_path, "clv")["headline"]["en"] == "part"


def test_highlights_fall_back_to_the_results_folder(tmp_path):
    run, earlier = tmp_path / "run", tmp_path / "earlier"
    (earlier / "metrics").mkdir(parents=True)
    (earlier / "metrics" / "churn.json").write_text(json.dumps({"headline": {"en": "x", "zh": "y"}}))
    found = overview.domain_highlights(run, None, earlier)
    assert found["churn"] == {"headline": {"en": "x", "zh": "y"}}
    assert found["clv"] is None


def test_overview_reads_no_json_paths_of_its_own():
    import inspect

    source = inspect.getsource(overview)
    assert source.count("json.loads") == 2  # both inside read_metrics
    assert "metrics_dir(" in inspect.getsource(overview.read_metrics)
    assert pd.api.types.is_list_like(overview.DOMAIN_TOPICS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_labels_exist_in_both_languages(two_runs, lang):  # noqa: F811
    from workbench.i18n import t

    changes = overview.changes_since(two_runs[0], two_runs[1])
    for key in (*overview.CHANGE_HEADERS.values(), "ov.chg.before_now"):
        assert t(key, lang) != key
    assert overview.migration_table(changes, lang).shape[0] >= 1
