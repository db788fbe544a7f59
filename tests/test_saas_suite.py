"""`workbench demo --kind saas` data through `workbench run`, in both languages: the reports that
need transactions are skipped with their reason, the others render, customer success's metrics
sit under their key, churn reads the subscriptions, and renewals at risk reach 08_actions."""

from __future__ import annotations

import html as html_lib
import json
import re

import pandas as pd
import pytest

from workbench.cli import main
from workbench.demo_saas import generate_saas_demo
from workbench.i18n import t

pytestmark = pytest.mark.slow
METRIC_KEYS = ("mrr", "arr", "nrr_12m", "grr_12m", "logo_churn_rate", "renewal_rate",
               "expansion_rate", "arr_at_risk", "bridge")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data = tmp_path_factory.mktemp("saas_data")
    generate_saas_demo(data, accounts=400, seed=1)
    out = {}
    for lang in ("en", "zh"):
        folder = tmp_path_factory.mktemp(f"saas_{lang}")
        code = main(["run", "--data", str(data), "--out", str(folder), "--lang", lang,
                     "--quiet", "--jobs", "2"])
        assert code == 0
        out[lang] = folder
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_saas_suite_renders_and_skips_with_reasons(runs, lang):
    folder = runs[lang]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest, ensure_ascii=False)
    for topic in ("segmentation", "lifecycle", "clv", "personalization"):
        assert not list(folder.glob(f"*_{topic}.html")), topic
    assert "transactions.csv" in text  # the reason names the missing table
    for name in ("05_churn", "08_actions", "09_customer_success"):
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html, name
        if lang == "zh":
            assert re.search("[\u4e00-\u9fff]{4}", html)
    overview = html_lib.unescape((folder / "00_overview.html").read_text(encoding="utf-8"))
    for topic in ("customer_success", "churn"):  # they ran: each gives the overview its headline
        assert t("ov.domain_missing", lang, topic=t(f"topic.{topic}", lang)) not in overview


def test_metrics_churn_and_actions_agree_on_the_subscriptions(runs):
    folder = runs["en"]
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    success = metrics["customer_success"]
    assert all(key in success for key in METRIC_KEYS)
    for month in success["bridge"]:  # the bridge identity, exactly as exported
        moved = (month["mrr_start"] + month["new"] + month["reactivation"] + month["expansion"]
                 - month["contraction"] - month["churned"])
        assert moved == pytest.approx(month["mrr_end"], abs=1e-6)
    assert metrics["churn"]["setting"] == "contractual"
    churn = pd.read_csv(folder / "exports" / "churn.csv", dtype={"customer_id": str},
                        encoding="utf-8-sig")
    assert len(churn) and (churn["value_at_stake"] > 0).all()  # ARR of paying customers
    renewals = pd.read_csv(folder / "exports" / "renewals.csv", dtype={"customer_id": str},
                           encoding="utf-8-sig")
    listing = pd.read_csv(folder / "exports" / "actions.csv", dtype={"customer_id": str},
                          encoding="utf-8-sig")
    renewal_rows = listing[listing["source"] == "customer_success"]
    assert len(renewal_rows) > 0
    assert set(renewal_rows["customer_id"]) <= set(renewals["customer_id"])
    assert set(renewal_rows["reason"]) == {"renewal_at_risk"}
    assert success["arr_at_risk"] == pytest.approx(renewals["arr_at_risk"].sum(), rel=1e-6)
