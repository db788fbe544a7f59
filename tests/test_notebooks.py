"""Notebook conventions: stripped, one tagged parameters cell, thin, bilingual narrative."""

import ast
import json
from pathlib import Path

import nbformat
import pytest
from papermill.translators import PythonTranslator

from workbench.runner import NOTEBOOKS

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
REPORTS = [p for p in ALL if not p.name.startswith("_")]
REQUIRED_PARAMETERS = {"data_dir", "as_of", "lang", "output_dir", "seed"}
MAX_CODE_LINES = 12  # "about 8 lines of logic" plus wrapped call arguments


def test_every_topic_notebook_is_known():
    assert {p.stem for p in REPORTS} <= set(NOTEBOOKS.values())
    assert {"00_overview", "01_data_quality"} <= {p.stem for p in REPORTS}
    assert (NOTEBOOK_DIR / "_template.ipynb").exists()


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_one_parameters_cell_with_documented_defaults(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    found = {p.name: p for p in PythonTranslator.inspect(tagged[0])}
    assert REQUIRED_PARAMETERS <= set(found)
    assert all(p.help for p in found.values()), "every parameter carries a comment"
    assert found["as_of"].default == "None"  # as_of defaults to the last date in the data
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_notebooks_stay_thin(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert defined == [], "functions and classes belong in src/workbench"
        if "parameters" in cell.metadata.get("tags", []):
            continue  # declarations, one per parameter: not logic
        lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(lines) <= MAX_CODE_LINES, cell.source


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_narrative_is_bilingual(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    by_lang = {"en": [], "zh": []}
    for cell in markdown:
        tags = set(cell.metadata.get("tags", []))
        assert tags & {"lang-en", "lang-zh", "analyst-only"}, cell.source[:60]
        for lang, texts in by_lang.items():
            if f"lang-{lang}" in tags:
                texts.append(cell.source)
    assert len(by_lang["en"]) == len(by_lang["zh"]) >= 2
    assert by_lang["en"][0].startswith("# ") and by_lang["zh"][0].startswith("# ")
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in by_lang["zh"])


def test_a_parameter_name_means_one_type_in_every_notebook():
    """A run-level ``-p name=value`` reaches every notebook that declares ``name``: the same
    name must not be a string in one notebook and a number in another (05 once had a float
    ``threshold`` beside 02's ``threshold = "mean"``)."""
    types: dict[str, dict[str, str]] = {}
    for path in REPORTS:
        nb = nbformat.read(path, as_version=4)
        (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        for param in PythonTranslator.inspect(cell):
            types.setdefault(param.name, {})[path.stem] = param.inferred_type_name
    clashes = {name: seen for name, seen in types.items() if len(set(seen.values())) > 1}
    assert clashes == {}
    assert len(types["threshold"]) >= 2  # the check compares something
