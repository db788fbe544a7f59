"""The segmentation package: silhouettes in one pass, computation modules without words."""

import ast
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

import workbench
import workbench.lifecycle
import workbench.segmentation
from workbench.segmentation.clusters import silhouette_scores

COMPUTATION = {"segmentation": ("rfm", "value", "clusters", "profiles"),
               "lifecycle": ("stages", "cohorts")}


def test_silhouettes_of_several_labelings_are_sklearns_numbers():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(600, 5))
    labelings = [rng.integers(0, k, len(points)) for k in (2, 3, 6)]
    assert silhouette_scores(points, labelings) == [
        float(silhouette_score(points, labels)) for labels in labelings]
    with pytest.raises(ValueError, match="Number of labels is 1"):
        silhouette_scores(points, [np.zeros(len(points), int)])


@pytest.mark.parametrize("package", sorted(COMPUTATION))
def test_computation_modules_build_no_sentences(package):
    folder = Path(getattr(workbench, package).__file__).parent
    for name in COMPUTATION[package]:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for a in node.names}
        assert "workbench.i18n" not in imported, f"{package}/{name}.py imports workbench.i18n"
