"""The project's own contract: one dependency list, two commands, CI calls the tests."""

import ast
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_installs_from_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip_section == ["-e .[dev]"]
    # Nothing else is pinned in environment.yml, so it cannot drift from pyproject.toml.
    assert [d for d in deps if isinstance(d, str) and d not in ("python=3.11", "pip")] == []
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert "dev" in pyproject["project"]["optional-dependencies"]


def test_pyproject_declares_what_the_code_imports():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {re.split(r"[<>=\[ ]", d)[0].lower() for d in pyproject["project"]["dependencies"]}
    import_names = {"sklearn": "scikit-learn", "yaml": "pyyaml", "charset_normalizer": "charset-normalizer",
                    "jupyter_client": "jupyter-client", "ibis": "ibis-framework"}
    stdlib_or_self = {"workbench", "IPython", "traitlets", "ipywidgets"}
    imported = set()
    for path in (ROOT / "src" / "workbench").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    import sys

    third_party = {m for m in imported if m not in sys.stdlib_module_names and m not in stdlib_or_self
                   and m != "__future__"}
    missing = {import_names.get(m, m).lower() for m in third_party} - declared
    assert missing == set()


def test_makefile_targets_document_themselves():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("setup", "demo", "test", "lab", "bench"):
        assert re.search(rf"^{target}:.*## \S", makefile, re.MULTILINE), target
    assert "ipykernel install --sys-prefix" in makefile


def test_readme_starts_with_the_two_commands_and_ci_runs_tests():
    readme = (ROOT / "README.md").read_text()
    head = readme[:1500]
    assert "make demo" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_reports_folder_is_ignored_except_gitkeep():
    ignore = (ROOT / ".gitignore").read_text().splitlines()
    assert "reports/*" in ignore and "!reports/.gitkeep" in ignore
    assert (ROOT / "reports" / ".gitkeep").exists()
    assert (ROOT / "data" / "external" / "README.md").exists()
