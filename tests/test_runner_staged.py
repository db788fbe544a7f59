"""One copy of the data per run: the staged dataset, the jobs default, --health-drop."""

import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from tests.conftest import write_csv
from workbench import report, runner
from workbench.cli import build_parser, main
from workbench.io import DataError, load_dataset

TX = ("customer_id,order_date,amount,channel,product_id\n"
      "007,2024-01-01,10.5,门店,p1\n"
      "007,2024-02-03,3,app,p2\n"
      "012,2024-03-04,8,app,\n")
CUSTOMERS = "customer_id,signup_date,tier,wechat_follower\n007,2023-05-01,gold,true\n012,,silver,\n013,2023-06-01,,false\n"
FEEDBACK = "customer_id,submitted_at,nps,comment\n007,2024-02-05,9,很好\n"


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    write_csv(folder / "transactions.csv", TX)
    write_csv(folder / "customers.csv", CUSTOMERS)
    write_csv(folder / "feedback.csv", FEEDBACK)
    return folder


def test_staged_tables_equal_the_loaded_ones(data, tmp_path):
    staged = report.stage_dataset(data, tmp_path / "staged", "en")
    loaded = load_dataset(data)
    assert staged.rows == {"transactions": 3, "customers": 3, "feedback": 1, "returns": 0}
    assert staged.nbytes > 0 and staged.last_date == pd.Timestamp("2024-03-04")
    assert staged.missing["segmentation"] is None and staged.missing["feedback"] is None
    assert sorted(staged.customer_ids()) == ["007", "012", "013"]  # leading zeros kept
    data_dir, opened = report.open_staged_dataset(staged.folder)
    assert data_dir == str(data.resolve())
    for name in ("transactions", "customers", "feedback"):
        pd.testing.assert_frame_equal(getattr(opened, name), getattr(loaded, name))
    assert opened.events is None and opened.returns is not None and opened.returns.empty
    assert opened.quality.to_text() == loaded.quality.to_text()
    assert opened.missing_for("personalization") == loaded.missing_for("personalization")


def test_staged_tables_are_read_lazily_and_stay_writable(data, tmp_path):
    staged = report.stage_dataset(data, tmp_path / "staged")
    _, opened = report.open_staged_dataset(staged.folder)
    assert opened._tables.frames == {}  # nothing read before it is used
    tx = opened.transactions
    assert set(opened._tables.frames) == {"transactions"}
    tx.loc[tx.index[0], "amount"] = 99.0  # numeric columns are private, writable copies
    tx.loc[tx.index[0], "channel"] = "web"  # text columns (mapped) are replaced, not written
    assert opened.transactions["amount"].iloc[0] == 99.0
    _, again = report.open_staged_dataset(staged.folder)
    assert again.transactions["amount"].iloc[0] == 10.5  # the staged file is untouched
    assert again.transactions["channel"].iloc[0] == "门店"


def test_kernels_use_the_staged_dataset_of_their_folder_only(data, tmp_path, monkeypatch):
    staged = report.stage_dataset(data, tmp_path / "staged")
    monkeypatch.setenv(report.DATASET_CACHE_ENV, str(staged.folder))
    found = report._cached_dataset(data)
    assert found is not None and len(found.transactions) == 3
    assert report._cached_dataset(tmp_path) is None  # another data folder: load it anew
    monkeypatch.setenv(report.DATASET_CACHE_ENV, str(tmp_path / "gone"))
    assert report._cached_dataset(data) is None


def test_loading_runs_in_a_child_process_and_keeps_data_errors(tmp_path):
    write_csv(tmp_path / "bad" / "transactions.csv", "customer_id,order_date\n1,2024-01-01\n")
    with pytest.raises(DataError, match="required column 'amount' is missing"):
        runner._stage(tmp_path / "bad", tmp_path / "staged", "en")


def test_default_jobs_follow_cores_and_memory(monkeypatch):
    gib = 2**30
    assert runner.default_jobs(10 * 2**20, cores=2, available=20 * gib) == 2
    # 1M customers: about 3 GB in memory; one kernel at a time fits in 16 GB, two do not
    per_kernel = runner.KERNEL_MEMORY_BASE + runner.KERNEL_MEMORY_FACTOR * 3 * gib
    assert runner.default_jobs(3 * gib, cores=2, available=16 * gib) == 1
    assert runner.default_jobs(3 * gib, cores=8, available=int(3 * per_kernel / 0.8)) == 3
    assert runner.default_jobs(50 * gib, cores=2, available=gib) == 1  # never 0
    monkeypatch.setattr(runner, "_available_memory", lambda: None)  # no /proc/meminfo
    assert runner.default_jobs(0, cores=64) == 16


def test_health_drop_option_and_config(tmp_path):
    args = build_parser().parse_args(["run", "--data", "d", "--health-drop", "7.5"])
    assert args.health_drop == 7.5
    cfg = runner.RunConfig(data=tmp_path, out=tmp_path)
    assert cfg.health_drop == 10.0 and cfg.jobs is None
    with pytest.raises(ValidationError, match="health_drop"):
        runner.RunConfig(data=tmp_path, out=tmp_path, health_drop=0)


def test_changes_use_the_health_drop(tmp_path):
    from tests.test_changes import CN8, _write_run

    old = _write_run(tmp_path / "old", stages={"c1": "active"}, segments=[("c1", CN8, "A")],
                     clv={"c1": "B"}, churn={"c1": 80.0}, kpis={"customers": 1})
    new = _write_run(tmp_path / "new", stages={"c1": "active"}, segments=[("c1", CN8, "A")],
                     clv={"c1": "B"}, churn={"c1": 73.0}, kpis={"customers": 1})
    assert runner._write_changes(old, new, {}, "en")["counts"]["health_fell"] == 0  # 7 < 10
    entry = runner._write_changes(old, new, {}, "en", health_drop=5.0)
    assert entry["counts"]["health_fell"] == 1 and entry["health_threshold"] == 5.0
    rows = pd.read_csv(new / "exports" / "changes.csv", encoding="utf-8-sig")
    assert rows["change_label"].str.contains("more than 5 points").all()


def test_run_with_previous_writes_metrics_once(tiny_demo, tmp_path, monkeypatch):
    previous = tmp_path / "previous"
    (previous / "results").mkdir(parents=True)
    config = tmp_path / "run.yaml"
    config.write_text("health_drop: 7\n")
    written = []
    original = runner.write_json

    def counting(value, path):
        written.append(Path(path).name)
        return original(value, path)

    monkeypatch.setattr(runner, "write_json", counting)
    out = tmp_path / "out"
    assert main(["run", "--data", str(tiny_demo), "--out", str(out), "--quiet",
                 "--notebooks", "data_quality", "--config", str(config),
                 "--previous", str(previous), "--health-drop", "5"]) == 0
    assert written.count("metrics.json") == 1
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["changes"]["health_threshold"] == 5.0  # the flag wins over run.yaml
    assert "data_quality" in metrics and metrics["customers"]["customers"] == 300
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["health_drop"] == 5.0
    assert isinstance(manifest["parameters"]["jobs"], int)  # the default, resolved
