"""workbench run end to end on a tiny demo: outputs, safety, languages, failures."""

import hashlib
import json
import re

import pytest

from tests.conftest import PLANTED_EMAIL, PLANTED_ID_CARD, PLANTED_PHONE, XSS
from workbench.cli import main
from workbench.registry import REPORTS
from workbench.runner import NOTEBOOKS, RunConfig, _parse_parameter

CJK = re.compile(r"[\u4e00-\u9fff]")


#: Reports the retail tiny demo cannot feed: customer success needs a subscriptions table.
NOT_ON_RETAIL = {"customer_success"}


def _report_stems() -> list[str]:
    """Every report notebook of the registry."""
    return sorted(NOTEBOOKS.values())


def _rendered_stems() -> list[str]:
    """The report notebooks that run on the tiny retail demo (the others are skipped)."""
    return sorted(stem for topic, stem in NOTEBOOKS.items() if topic not in NOT_ON_RETAIL)


def test_run_writes_every_output(rendered, tiny_demo):
    out = rendered["en"]
    stems = _rendered_stems()
    for stem in stems:
        assert (out / f"{stem}.html").stat().st_size > 10_000
        assert (out / "notebooks" / f"{stem}.ipynb").exists()
    # Each report writes the exports the registry declares (personalization: recommendations).
    exports = {e for r in REPORTS if r.topic not in NOT_ON_RETAIL for e in r.exports}
    assert {p.stem for p in (out / "exports").iterdir()} == exports | {"customers"}
    assert not list(out.rglob(".*.tmp")) and not list(out.rglob(".*.ipynb"))  # no temp left


def test_metrics_are_plain_numbers_under_their_keys(rendered):
    metrics = json.loads((rendered["en"] / "metrics.json").read_text())
    assert set(metrics) == {stem.split("_", 1)[1] for stem in _rendered_stems()} | {"customers"}
    kpis = metrics["overview"]["kpis"]
    assert isinstance(kpis["customers"], int) and isinstance(kpis["revenue_12m"], float)
    assert 0 < kpis["repeat_rate"] < 1
    dq = metrics["data_quality"]
    assert dq["rows_read"] == dq["rows_kept"] + dq["rows_set_aside"]
    assert isinstance(dq["duplicate_rate"], float)


def _differences(a, b, path=""):
    """Paths where two metrics trees differ (floats compared to 1e-9 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return [d for k in sorted(keys) for d in _differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, float) and isinstance(b, float):
        return [] if a == pytest.approx(b, rel=1e-9) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_same_inputs_same_numbers(rendered):
    en = json.loads((rendered["en"] / "metrics.json").read_text())
    zh = json.loads((rendered["zh"] / "metrics.json").read_text())
    # Two runs (in different languages) give the same numbers. Parallel float reductions
    # (DuckDB, OpenMP in scikit-learn) may differ in the last bits under load: 1e-9 relative.
    assert _differences(en, zh) == []


def test_manifest_records_inputs_versions_and_timing(rendered, tiny_demo):
    manifest = json.loads((rendered["en"] / "manifest.json").read_text())
    expected = hashlib.sha256((tiny_demo / "transactions.csv").read_bytes()).hexdigest()
    assert manifest["inputs"]["transactions.csv"]["sha256"] == expected
    assert manifest["parameters"]["lang"] == "en" and manifest["parameters"]["seed"] == 0
    assert manifest["versions"]["pandas"] and manifest["versions"]["workbench"] == "0.1.0"
    statuses = {n["topic"]: n["status"] for n in manifest["notebooks"]}
    assert statuses == {topic: "skipped" if topic in NOT_ON_RETAIL else "ok" for topic in NOTEBOOKS}
    assert all(n["seconds"] > 0 and n["started"] <= n["ended"] for n in manifest["notebooks"]
               if n["status"] == "ok")
    assert manifest["status"] == "ok"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_raw_script_or_personal_data_in_any_output(rendered, lang):
    out = rendered[lang]
    checked = 0
    for path in out.rglob("*"):
        if path.suffix not in (".html", ".csv", ".json"):
            continue
        text = path.read_text(encoding="utf-8-sig")
        assert XSS not in text, path
        assert PLANTED_PHONE not in text and PLANTED_EMAIL not in text, path
        assert PLANTED_ID_CARD not in text, path
        checked += 1
    assert checked >= 7
    overview = (out / "00_overview.html").read_text()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in overview  # shown as text
    assert "138****5678" in overview and "l***@example.com" in overview
    assert "110101********123X" in overview


def test_no_error_or_stderr_output_in_reports(rendered):
    for lang, out in rendered.items():
        for html in out.glob("*.html"):
            text = html.read_text()
            assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text, (lang, html.name)
            assert "papermill-error-cell-tag" not in text
            assert "Traceback" not in text and "Loading widget" not in text


def test_languages(rendered):
    zh = (rendered["zh"] / "01_data_quality.html").read_text()
    en = (rendered["en"] / "01_data_quality.html").read_text()
    assert "<title>数据质量</title>" in zh and "<title>Data quality</title>" in en
    assert "剔除的行与值" in zh and "Rows and values set aside" not in zh
    assert "Rows and values set aside" in en and "剔除的行与值" not in en
    index = (rendered["zh"] / "index.html").read_text()
    assert "客户运营分析报告" in index and 'lang="zh-CN"' in index


def test_index_has_cards_kpis_and_quality(rendered):
    index = (rendered["en"] / "index.html").read_text()
    assert index.count("class='card ok'") == len(_rendered_stems())
    assert "href='00_overview.html'" in index and "href='01_data_quality.html'" in index
    assert "Repeat-purchase rate" in index and "rows read" in index


def test_failing_notebook_is_reported_and_others_still_render(tiny_demo, tmp_path, capsys):
    code = main(["run", "--data", str(tiny_demo), "--out", str(tmp_path), "--quiet",
                 "--notebooks", "data_quality,overview", "-p", "active_days=0"])
    assert code == 1
    err = capsys.readouterr().err
    assert "notebook overview failed" in err and "active_days must be a positive" in err
    index = (tmp_path / "index.html").read_text()
    assert "class='card failed'" in index and "class='card ok'" in index
    assert "active_days must be a positive" in index
    assert (tmp_path / "01_data_quality.html").exists()
    failed_html = (tmp_path / "00_overview.html").read_text()  # the failed notebook renders
    assert "papermill-error-cell-tag" in failed_html  # ... with papermill's error banner
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["status"] == "failed"


def test_missing_tables_skip_with_reason(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id,tier\n1,gold\n2,silver\n")
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--out", str(out), "--quiet",
                 "--notebooks", "data_quality,segmentation"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    by_topic = {n["topic"]: n for n in manifest["notebooks"]}
    assert by_topic["segmentation"]["status"] == "skipped"
    assert "needs transactions.csv" in by_topic["segmentation"]["error"]
    assert by_topic["data_quality"]["status"] == "ok"


def test_bad_data_exits_2_with_message(tmp_path, capsys):
    (tmp_path / "transactions.csv").write_text("customer_id,order_date\n1,2024-01-01\n")
    assert main(["run", "--data", str(tmp_path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "required column 'amount' is missing" in capsys.readouterr().err


def test_config_file_and_flags(tmp_path, tiny_demo, capsys):
    config = tmp_path / "run.yaml"
    config.write_text(f"data: {tiny_demo}\nnotebooks: [nonsense]\n")
    assert main(["run", "--config", str(config), "--out", str(tmp_path / "o")]) == 2
    assert "unknown notebook(s) nonsense" in capsys.readouterr().err
    cfg = RunConfig(data=tiny_demo, out=tmp_path, notebooks="overview, data_quality")
    assert cfg.notebooks == ["overview", "data_quality"]
    selected = RunConfig(data=tiny_demo, out=tmp_path).selected()
    assert sorted(NOTEBOOKS[topic] for topic in selected) == _report_stems()
    assert _parse_parameter("x=3") == ("x", 3) and _parse_parameter("d=2024-01-01") == ("d", "2024-01-01")
    assert _parse_parameter("flag=true") == ("flag", True)
    with pytest.raises(ValueError, match="KEY=VALUE"):
        _parse_parameter("oops")
    assert list(NOTEBOOKS)[:3] == ["actions", "overview", "data_quality"]


def test_as_of_and_parameters_reach_the_notebook(tiny_demo, tmp_path):
    assert main(["run", "--data", str(tiny_demo), "--out", str(tmp_path), "--quiet",
                 "--notebooks", "overview", "--as-of", "2026-06-30", "-p", "active_days=30"]) == 0
    kpis = json.loads((tmp_path / "metrics.json").read_text())["overview"]["kpis"]
    assert kpis["as_of"] == "2026-06-30" and kpis["active_days"] == 30
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["parameters"]["as_of_resolved"] == "2026-06-30"
    assert manifest["parameters"]["parameters"] == {"active_days": 30}
    executed = (tmp_path / "notebooks" / "00_overview.ipynb").read_text()
    assert '"injected-parameters"' in executed and 'active_days = 30' in executed
