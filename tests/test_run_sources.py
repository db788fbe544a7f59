"""``workbench run`` and ``validate`` on every kind of source: a folder, PostgreSQL (tables
with Chinese column names and a mapping with ``tables:`` and ``columns:``) and Spark.

The acceptance check: every report of the tiny demo runs with a PostgreSQL source and with
``--engine spark``, and their exports (``exports/*.csv``) and ``metrics.json`` equal the folder
run's (the shared ``rendered`` fixture, DuckDB, reused as the baseline), floats within 1e-9.
Those two whole-suite runs are the expensive part (about 1.5 min each on 2 cores, Spark's
start included in its own): one test each, ``--jobs 2``, English only. Every error a user can meet (wrong password, missing table
or column, closed port, unknown engine, missing mapping file, no Spark) is one message on
stderr, exit code 2, no traceback and no password.
"""

from __future__ import annotations

import json
import math
import os
import sys
import typing
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests import _postgres, _spark
from tests._postgres import PASSWORD, PostgresServer, copy_frame, free_port
from tests._spark import SPARK_TEST_SETTINGS
from workbench.cli import ENGINE_CHOICES, main
from workbench.runner import RunConfig, _manifest_parameters

postgres_server = _postgres.postgres_server  # the fixture: one server per xdist worker

SCHEMA = "门店"
#: The demo's tables in PostgreSQL: table name, and per column its Chinese name and type
#: (``tests._postgres`` kinds). No Chinese name is a known alias: the mapping finds them.
TABLES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "transactions": ("销售流水", {
        "customer_id": ("会员卡号", "string"), "order_id": ("小票号", "string"),
        "order_date": ("成交时间", "timestamp"), "amount": ("成交金额", "money"),
        "quantity": ("件数", "float"), "channel": ("渠道", "string"),
        "product_id": ("商品编码", "string"), "category": ("品类", "string"),
        "store": ("门店名称", "string"), "discount": ("优惠金额", "money")}),
    "customers": ("会员档案", {
        "customer_id": ("会员卡号", "string"), "signup_date": ("入会日期", "date"),
        "gender": ("性别代码", "string"), "age": ("周岁", "int"), "city": ("所在城市", "string"),
        "region": ("所属大区", "string"), "tier": ("卡等级", "string"),
        "acquisition_channel": ("拉新来源", "string"), "name": ("会员姓名", "string"),
        "phone": ("手机号码", "string"), "email": ("电子邮箱", "string"),
        "wechat_follower": ("关注公众号", "string"), "preferred_payment": ("常用支付", "string")}),
    "feedback": ("顾客评价", {
        "customer_id": ("会员卡号", "string"), "submitted_at": ("评价时间", "timestamp"),
        "nps": ("推荐打分", "int"), "csat": ("满意打分", "int"), "comment": ("评语", "string"),
        "channel": ("渠道", "string"), "category": ("品类", "string")}),
    "events": ("行为日志", {
        "customer_id": ("会员卡号", "string"), "timestamp": ("发生时间", "timestamp"),
        "event": ("行为类型", "string"), "channel": ("渠道", "string")}),
    "campaigns": ("营销触达", {
        "customer_id": ("会员卡号", "string"), "campaign_id": ("活动编号", "string"),
        "sent_at": ("触达时间", "timestamp"), "arm": ("实验分组", "string"),
        "channel": ("触达渠道", "string"), "offer": ("权益", "string"),
        "cost": ("触达成本", "money")}),
}
#: Names shared by several tables go in the mapping's global ``columns:`` section.
SHARED = ("customer_id", "channel", "category")


def _mapping() -> dict:
    mapping: dict = {"tables": {name: f"{SCHEMA}.{table}" for name, (table, _) in TABLES.items()},
                     "columns": {}}
    for name, (_, columns) in TABLES.items():
        own = {}
        for canonical, (chinese, _) in columns.items():
            if canonical in SHARED and chinese in ("会员卡号", "渠道", "品类"):
                mapping["columns"][chinese] = canonical
            else:
                own[chinese] = canonical
        mapping[name] = {"columns": own}
    return mapping


def _load_demo(server: PostgresServer, folder: Path) -> None:
    """Each CSV of the demo folder, as it is (blanks as NULL), into its typed Chinese table."""
    for name, (table, columns) in TABLES.items():
        raw = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(raw.columns) == list(columns), name  # the demo's columns, all of them
        raw = raw.astype(object).where(raw != "", None)
        copy_frame(server, f"{SCHEMA}.{table}", raw.rename(columns={c: v[0] for c, v in
                                                                     columns.items()}),
                   {chinese: kind for chinese, kind in columns.values()})


@pytest.fixture(scope="module")
def pg_demo(postgres_server, tiny_demo, tmp_path_factory) -> tuple[str, Path]:
    """The tiny demo in PostgreSQL: its URL (with the password) and its mapping file."""
    _load_demo(postgres_server, tiny_demo)
    mapping = tmp_path_factory.mktemp("pg_mapping") / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(_mapping(), allow_unicode=True), encoding="utf-8")
    return postgres_server.url(), mapping


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    """``workbench <args>`` in this process: exit code, stdout, stderr."""
    try:
        code = main(args)
    except SystemExit as exc:  # argparse refusing an argument
        code = exc.code
    out, err = capsys.readouterr()
    return int(code), out, err


def _assert_one_clear_error(code: int, out: str, err: str, *expected: str) -> None:
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err and 'File "' not in err
    assert PASSWORD not in out + err and "Wr0ng-Pw" not in out + err
    for text in expected:
        assert text in err, (text, err)


# ------------------------------------------------------------------ settings


def test_engine_names_agree_everywhere():
    from workbench.engine import ENGINES

    assert ENGINE_CHOICES == ENGINES
    assert typing.get_args(RunConfig.model_fields["engine"].annotation) == ENGINES


def test_run_yaml_spark_settings_and_sources(tmp_path):
    cfg = RunConfig(data=tmp_path, out=tmp_path / "out", **{"spark.master": "local[2]"},
                    spark={"remote": "sc://spark:15002/;token=abc123",
                           "spark.sql.shuffle.partitions": 4})
    assert cfg.data == str(tmp_path) and cfg.engine == "duckdb" and cfg.mapping is None
    assert cfg.spark == {"spark.remote": "sc://spark:15002/;token=abc123",
                         "spark.sql.shuffle.partitions": "4", "spark.master": "local[2]"}
    url = "postgresql://wb:s3cret@db.example:5432/shop?schema=crm"
    shown = _manifest_parameters(cfg.model_copy(update={"data": url}))
    assert shown["data"] == "postgresql://wb:***@db.example:5432/shop?schema=crm"
    assert shown["spark"]["spark.remote"] == "sc://spark:15002/;token=***"
    with pytest.raises(ValueError, match="engine"):
        RunConfig(data="x", out=tmp_path, engine="flink")


# ------------------------------------------------------------------ errors, through the CLI


def test_unknown_engine_and_missing_mapping_file(tiny_demo, tmp_path, capsys):
    code, out, err = _run(["run", "--data", str(tiny_demo), "--out", str(tmp_path / "o"),
                           "--engine", "flink"], capsys)
    _assert_one_clear_error(code, out, err, "--engine", "invalid choice: 'flink'")
    config = tmp_path / "run.yaml"
    config.write_text("engine: flink\n", encoding="utf-8")
    code, out, err = _run(["run", "--data", str(tiny_demo), "--out", str(tmp_path / "o"),
                           "--config", str(config)], capsys)
    _assert_one_clear_error(code, out, err, "invalid settings: engine")
    missing = ["--mapping", str(tmp_path / "nope.yaml")]
    for args in (["run", "--data", str(tiny_demo), "--out", str(tmp_path / "o"), *missing],
                 ["validate", "--data", str(tiny_demo), *missing]):
        code, out, err = _run(args, capsys)
        _assert_one_clear_error(code, out, err, "nope.yaml: mapping file not found")
    assert not (tmp_path / "o").exists()  # refused before any work


def test_spark_not_installed_says_how_to_install(tiny_demo, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` raises ImportError
    for command in ("run", "validate"):
        args = [command, "--data", str(tiny_demo), "--engine", "spark"]
        code, out, err = _run(args + (["--out", str(tmp_path / "o")] if command == "run"
                                      else []), capsys)
        _assert_one_clear_error(code, out, err, "pip install 'workbench[spark]'")
    assert not (tmp_path / "o").exists()


def test_spark_on_a_database_is_refused(postgres_server, tmp_path, capsys):
    code, out, err = _run(["run", "--data", postgres_server.url(), "--engine", "spark",
                           "--out", str(tmp_path / "o")], capsys)
    _assert_one_clear_error(code, out, err, "aggregates in its own database",
                            "postgresql://wb:***@127.0.0.1")


def test_database_errors_are_one_message_without_password(postgres_server, pg_demo, tmp_path,
                                                         capsys):
    url, mapping = pg_demo
    broken = tmp_path / "broken"
    broken.mkdir()
    no_table = _mapping()
    no_table["tables"]["customers"] = f"{SCHEMA}.没有这张表"
    (broken / "table.yaml").write_text(yaml.safe_dump(no_table, allow_unicode=True), "utf-8")
    no_column = _mapping()
    no_column["transactions"]["columns"]["实付金额"] = no_column["transactions"]["columns"].pop(
        "成交金额")
    (broken / "column.yaml").write_text(yaml.safe_dump(no_column, allow_unicode=True), "utf-8")
    # (source, mapping, expected text, also through `run`: its loader process, whose
    # exception comes back pickled; two cases suffice, each costs a process start)
    cases = [
        (postgres_server.url(password="Wr0ng-Pw-123"), mapping,
         ["refused the login of user 'wb'", "wrong or missing password"], True),
        (postgres_server.url(port=free_port()), mapping, ["connection refused"], False),
        (url, broken / "table.yaml", ["没有这张表", "not found"], False),
        (url, broken / "column.yaml", ["销售流水", "amount", "实付金额"], True),
    ]
    for source, mapping_file, expected, also_run in cases:
        args = ["--data", source, "--mapping", str(mapping_file)]
        code, out, err = _run(["validate", *args], capsys)
        _assert_one_clear_error(code, out, err, *expected)
        if also_run:
            code, out, err = _run(["run", *args, "--out", str(tmp_path / "o"), "--quiet"],
                                  capsys)
            _assert_one_clear_error(code, out, err, "the data cannot be used", *expected)
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ the staged dataset


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s rows in one order, without ``source_row``: a database table has no line
    numbers, and its rows no order but the scan's (``workbench.engine.load``)."""
    values = frame.drop(columns="source_row")
    return values.sort_values(list(values.columns), kind="stable").reset_index(drop=True)


def test_postgres_source_stages_the_folder_dataset(postgres_server, pg_demo, tiny_demo,
                                                   tmp_path, monkeypatch):
    """What every report reads: the staged frames from PostgreSQL equal the folder's (columns
    in the folder's order, dtypes, rows), with the password given by PGPASSWORD instead."""
    from workbench.io import load_dataset
    from workbench.report import open_staged_dataset, stage_dataset

    _, mapping = pg_demo
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    url = postgres_server.url(password="").replace("wb:@", "wb@")
    staged = stage_dataset(url, tmp_path / "staged", mapping=mapping)
    assert staged.data_dir == url and staged.provenance["engine"] == "postgres"
    folder = load_dataset(tiny_demo)
    assert staged.rows == {name: len(getattr(folder, name)) for name in (*TABLES, "returns")}
    _, opened = open_staged_dataset(staged.folder)
    for name in (*TABLES, "returns"):
        ours, theirs = getattr(opened, name), getattr(folder, name)
        assert list(ours.columns) == list(theirs.columns), name
        pd.testing.assert_frame_equal(_rows(ours), _rows(theirs), obj=name)


# ------------------------------------------------------------------ the whole suite

#: Export columns that may legitimately differ between sources: the examples of rows set
#: aside are row numbers of a file, and keys of a database table.
SOURCE_SPECIFIC = {"data_quality.csv": ("examples",)}


def _numbers(values: pd.Series) -> pd.Series | None:
    converted = pd.to_numeric(values, errors="coerce")
    return converted if converted.notna().sum() == values.notna().sum() else None


def export_differences(baseline: Path, other: Path) -> tuple[list[str], int, int]:
    """Differences between two runs' ``exports/*.csv`` (floats within 1e-9 relative), the
    files compared and their rows."""
    problems, rows = [], 0
    names = sorted(p.name for p in (baseline / "exports").glob("*.csv"))
    found = sorted(p.name for p in (other / "exports").glob("*.csv"))
    if names != found:
        problems.append(f"export files differ: {names} != {found}")
    for name in sorted(set(names) & set(found)):
        a = pd.read_csv(baseline / "exports" / name, dtype=str, keep_default_na=False)
        b = pd.read_csv(other / "exports" / name, dtype=str, keep_default_na=False)
        rows += len(a)
        if list(a.columns) != list(b.columns) or len(a) != len(b):
            problems.append(f"{name}: columns {list(a.columns)} / {list(b.columns)}, "
                            f"rows {len(a)} / {len(b)}")
            continue
        for column in a.columns:
            if column in SOURCE_SPECIFIC.get(name, ()):
                continue
            left, right = a[column], b[column]
            if left.equals(right):
                continue
            x, y = _numbers(left.replace("", None)), _numbers(right.replace("", None))
            if x is not None and y is not None and all(
                    (math.isnan(p) and math.isnan(q)) or math.isclose(p, q, rel_tol=1e-9,
                                                                      abs_tol=1e-12)
                    for p, q in zip(x.fillna(math.nan), y.fillna(math.nan), strict=True)):
                continue
            first = next(i for i in range(len(a)) if left.iloc[i] != right.iloc[i])
            problems.append(f"{name}[{column}] row {first}: {left.iloc[first]!r} != "
                            f"{right.iloc[first]!r}")
    return problems, len(set(names) & set(found)), rows


def metrics_differences(a, b, path: str = "") -> list[str]:
    """Paths where two ``metrics.json`` trees differ (floats within 1e-9 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b))
                for d in metrics_differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in metrics_differences(x, y, f"{path}[{i}]")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def _assert_same_as_folder_run(baseline: Path, out: Path, engine: str) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    folder = json.loads((baseline / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    statuses = {n["topic"]: n["status"] for n in manifest["notebooks"]}
    assert statuses == {n["topic"]: n["status"] for n in folder["notebooks"]}  # all ran
    assert manifest["engine"] == engine
    assert manifest["rows_read"] == folder["rows_read"]
    problems, files, rows = export_differences(baseline, out)
    print(f"{engine}: {files} export files, {rows:,} rows compared")
    assert files >= 13 and rows > 1000
    assert problems == []
    assert metrics_differences(
        json.loads((baseline / "metrics.json").read_text(encoding="utf-8")),
        json.loads((out / "metrics.json").read_text(encoding="utf-8"))) == []


def _no_password_anywhere(out: Path) -> int:
    checked = 0
    for path in out.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
            checked += 1
    return checked


@pytest.mark.slow
def test_every_report_on_postgres_equals_the_folder_run(pg_demo, rendered, tmp_path, capsys):
    url, mapping = pg_demo
    out = tmp_path / "pg"
    code, stdout, err = _run(["run", "--data", url, "--mapping", str(mapping), "--out", str(out),
                              "--lang", "en", "--jobs", "2"], capsys)
    assert code == 0, err
    assert PASSWORD not in stdout + err and "postgresql://wb:***@127.0.0.1" in stdout
    _assert_same_as_folder_run(rendered["en"], out, "postgres")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"] == url.replace(PASSWORD, "***")
    assert manifest["parameters"]["data"] == manifest["source"]
    assert _no_password_anywhere(out) > 30  # html, notebooks, logs, exports, metrics, manifest


@pytest.mark.slow
def test_every_report_on_spark_equals_the_folder_run(tiny_demo, rendered, tmp_path, capfd):
    reason = _spark._missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI runs the Spark tests")
        pytest.skip(reason)
    config = tmp_path / "run.yaml"  # the session settings as a user writes them
    config.write_text(yaml.safe_dump({"spark": SPARK_TEST_SETTINGS}), encoding="utf-8")
    out = tmp_path / "spark"
    # capfd: what the JVM (a grandchild) prints reaches the descriptors, not sys.stderr
    code, stdout, err = _run(["run", "--data", str(tiny_demo), "--engine", "spark", "--config",
                              str(config), "--out", str(out), "--lang", "en", "--jobs", "2",
                              "--quiet"], capfd)
    assert code == 0, err
    assert (stdout, err) == ("", "")  # a quiet run prints nothing, Spark's JVM included
    _assert_same_as_folder_run(rendered["en"], out, "spark")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["spark"]["spark.master"] == "local[2]"
    assert manifest["source"] == str(tiny_demo.resolve())
    # the JVM's banner and log lines are kept in logs/loader.log; a folder run has none
    log = (out / "logs" / "loader.log").read_text(encoding="utf-8")
    assert manifest["loader_log_lines"] == len(log.splitlines()) > 0 and "log" in log.lower()
    baseline = json.loads((rendered["en"] / "manifest.json").read_text(encoding="utf-8"))
    assert baseline["loader_log_lines"] == 0
    assert not (rendered["en"] / "logs" / "loader.log").exists()


def test_parquet_lake_validates_and_its_files_are_listed(tiny_demo, tmp_path, capsys):
    """A lake (Parquet parts of the transactions, given as a glob): validate reads it; the
    manifest lists each part by size and time (hashing a lake would read all of it)."""
    from workbench.runner import _inputs

    lines = pd.read_csv(tiny_demo / "transactions.csv", dtype=str, keep_default_na=False)
    lake = tmp_path / "lake"
    lake.mkdir()
    half = len(lines) // 2
    lines.iloc[:half].to_parquet(lake / "part-0.parquet", index=False)
    lines.iloc[half:].to_parquet(lake / "part-1.parquet", index=False)
    spec = str(lake / "part-*.parquet")
    code, out, err = _run(["validate", "--data", spec], capsys)
    assert code == 0, err
    assert f"{len(lines):,} rows read" in out
    assert "Source: " in out and "Data folder" not in out  # a lake is not a folder
    files = _inputs(RunConfig(data=spec, out=tmp_path / "out"))
    assert sorted(Path(name).name for name in files) == ["part-0.parquet", "part-1.parquet"]
    assert all(entry["bytes"] > 0 and entry["modified"] for entry in files.values())


def test_mapping_file_for_a_folder_replaces_its_own(tmp_path, capsys):
    from tests.conftest import write_csv

    folder = tmp_path / "export"
    write_csv(folder / "transactions.csv", "卡号,成交日,实收\n007,2024-01-02,10.5\n012,2024-02-03,8\n")
    write_csv(folder / "mapping.yaml", "columns: {卡号: customer_id}\n")  # incomplete
    mapping = write_csv(tmp_path / "crm.yaml",
                        "transactions:\n  columns: {卡号: customer_id, 成交日: order_date, "
                        "实收: amount}\n")
    code, out, err = _run(["validate", "--data", str(folder)], capsys)
    _assert_one_clear_error(code, out, err, "order_date")
    code, out, err = _run(["validate", "--data", str(folder), "--mapping", str(mapping)], capsys)
    assert code == 0, err
    assert "2 rows read" in out and "实收 -> amount" in out
    assert f"Data folder: {folder}" in out
    cfg = RunConfig(**yaml.safe_load(f"data: {folder}\nout: {tmp_path / 'out'}\n"
                                     f"mapping: {mapping}\nengine: spark\n"))
    assert cfg.mapping == mapping and cfg.engine == "spark"
