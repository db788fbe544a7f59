"""Open the rendered reports in headless chromium as a stakeholder would.

Runs whenever chromium is installed; on CI (CI=true) `make test` installs it, and a missing
browser there is a failure, not a skip.
"""

import os
import shutil

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed on CI: `make test` should have installed it")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def _inspect(browser, path):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    info = page.evaluate("""() => ({
        images: Array.from(document.images).map(i => ({ok: i.complete && i.naturalWidth > 0})),
        stderr: document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]').length,
        errorCells: document.querySelectorAll('.celltag_papermill-error-cell-tag').length,
        xss: window.__xss === 1,
        text: document.body.innerText,
        title: document.title,
    })""")
    page.close()
    return info, errors


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_index_and_every_report_open_cleanly(browser, rendered, lang):
    out = rendered[lang]
    pages = [out / "index.html", *sorted(out.glob("0*.html"))]
    assert len(pages) >= 3
    for path in pages:
        info, errors = _inspect(browser, path)
        assert errors == [], (path.name, errors)
        assert info["stderr"] == 0 and info["errorCells"] == 0, path.name
        assert not info["xss"], f"{path.name} ran a script from the data"
        assert "Loading widget" not in info["text"]
        if path.name != "index.html":
            assert len(info["images"]) >= 1 and all(i["ok"] for i in info["images"]), path.name
    index_info, _ = _inspect(browser, out / "index.html")
    expected_title = "客户运营分析报告" if lang == "zh" else "Customer operations reports"
    assert index_info["title"] == expected_title
    overview_info, _ = _inspect(browser, out / "00_overview.html")
    assert "<script>window.__xss=1</script>" in overview_info["text"]  # shown as text
