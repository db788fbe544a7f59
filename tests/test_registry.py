"""The registry is the one list of reports; everything else reads it."""

import pytest

from tests.conftest import ROOT
from workbench import i18n, overview, registry, runner, schema


def test_every_list_of_reports_is_read_from_the_registry():
    topics = registry.topics()
    assert list(runner.NOTEBOOKS) == topics
    assert set(schema.ANALYSIS_REQUIREMENTS) == set(topics)
    assert overview.DOMAIN_TOPICS == registry.by_topic("overview").uses
    assert set(i18n.LOCALE_MODULES) == {"core", "columns", "changes"} | {r.locale for r in registry.REPORTS if r.locale}
    for report in registry.REPORTS:
        assert (ROOT / "notebooks" / f"{report.notebook}.ipynb").exists(), report.notebook
        assert report.title_key in i18n.CATALOGUE
        assert set(report.uses) <= set(topics)


def test_run_order_follows_the_declared_uses():
    waves = registry.run_waves(registry.topics())
    position = {topic: i for i, wave in enumerate(waves) for topic in wave}
    for report in registry.REPORTS:
        for used in report.uses:
            assert position[used] < position[report.topic], (report.topic, used)
    assert waves[-1] == ["actions", "overview"]
    # a report whose uses are not selected runs in the first wave
    assert registry.run_waves(["overview", "data_quality"]) == [["overview", "data_quality"]]


def test_a_cycle_of_uses_is_refused(monkeypatch):
    reports = (registry.Report("a", "a", needs=(), uses=("b",)),
               registry.Report("b", "b", needs=(), uses=("a",)))
    monkeypatch.setattr(registry, "REPORTS", reports)
    with pytest.raises(RuntimeError, match="cycle: a, b"):
        registry.run_waves(["a", "b"])
    with pytest.raises(KeyError, match="no report 'zzz'"):
        registry.by_topic("zzz")


def test_run_order_puts_the_longest_waiting_chain_first():
    order = registry.run_order(registry.topics())
    assert sorted(order) == sorted(registry.topics())
    # segmentation and lifecycle head the longest chains (feedback/campaigns -> churn ->
    # personalization -> actions); nothing waits on data quality, actions or the overview
    assert order[:2] == ["segmentation", "lifecycle"]
    assert set(order[-3:]) == {"actions", "overview", "data_quality"}
    # as many reports wait on CLV as on churn, but churn's chain is longer in seconds; the
    # campaigns report, which churn awaits, starts first
    assert order.index("campaigns") < order.index("churn") < order.index("clv")
    assert registry.uses_among("churn", ["churn", "feedback", "overview"]) == {"feedback"}
    assert registry.run_order(["overview", "churn"]) == ["churn", "overview"]


def test_a_report_may_start_beside_one_it_awaits():
    # churn reads the campaigns' uplift only after scoring: it awaits campaigns, not uses it
    assert registry.awaits_among("churn", ["churn", "campaigns"]) == {"campaigns"}
    assert registry.uses_among("churn", ["churn", "campaigns"]) == set()
    order = registry.run_order(["churn", "campaigns"])
    assert order == ["campaigns", "churn"]  # the awaited report is started first
    assert registry.run_waves(["churn", "campaigns"]) == [["campaigns"], ["churn"]]


def test_a_cycle_through_awaits_is_refused(monkeypatch):
    reports = (registry.Report("a", "a", needs=(), awaits=("b",)),
               registry.Report("b", "b", needs=(), uses=("a",)))
    monkeypatch.setattr(registry, "REPORTS", reports)
    with pytest.raises(RuntimeError, match="cycle: a, b"):
        registry.run_order(["a", "b"])


def test_reading_an_awaited_result_waits_for_its_report(tmp_path):
    import os
    import threading
    import time
    from types import SimpleNamespace

    import pandas as pd

    from workbench.report import RUNNING_DIR, ReportContext
    from workbench.results import write_result

    marks = tmp_path / RUNNING_DIR
    marks.mkdir()
    (marks / "campaigns").write_text(str(os.getpid()), encoding="utf-8")
    uplift = pd.DataFrame({"segment": ["all"], "uplift": [0.05], "uplift_low": [0.01],
                           "uplift_high": [0.09], "customers": [100], "campaign_id": ["C1"],
                           "arm": ["A"], "pooled": [0]})

    def campaigns_ends():
        time.sleep(0.5)
        write_result("campaign_uplift", uplift, tmp_path)
        (marks / "campaigns").unlink()

    churn = SimpleNamespace(topic="churn", output_dir=tmp_path, results_from=None)
    threading.Thread(target=campaigns_ends).start()
    found = ReportContext.result(churn, "campaign_uplift")
    assert found is not None and found["campaign_id"].tolist() == ["C1"]
    assert not (marks / "campaigns").exists()
    # a report that does not await campaigns reads at once; a mark whose runner is gone is
    # not waited for
    (marks / "campaigns").write_text("999999999", encoding="utf-8")
    assert ReportContext.result(churn, "campaign_uplift") is not None
    (marks / "campaigns").write_text(str(os.getpid()), encoding="utf-8")
    actions = SimpleNamespace(topic="actions", output_dir=tmp_path, results_from=None)
    assert ReportContext.result(actions, "campaign_uplift") is not None
