"""Report kernels forked from one process that has imported the notebooks' modules."""

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from workbench.forkserver import ForkServer, notebook_imports
from workbench.runner import _die_with_parent, _kernel_manager_class

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork + prctl")


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells.append(nbformat.v4.new_markdown_cell("import not_a_module"))
    nbformat.write(nb, path)
    return path


def test_notebook_imports_reads_the_code_cells(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", "%matplotlib inline",
                   "import json, os.path\nfrom workbench import report, clv\nfrom . import x",
                   "def f():\n    import csv")
    assert notebook_imports([nb, tmp_path / "missing.ipynb"]) == [
        "json", "os.path", "workbench", "workbench.report", "workbench.clv", "csv"]


def test_a_kernel_is_a_fork_of_the_server_with_its_modules_imported(tmp_path):
    import papermill as pm

    server = ForkServer(["colorsys", "no_such_module_xyz"], log=tmp_path / "server.log",
                        preexec_fn=_die_with_parent)
    try:
        nb = _notebook(tmp_path / "k.ipynb",
                       "import os, sys, json\n"
                       "print(json.dumps({'ppid': os.getppid(), 'cwd': os.getcwd(),"
                       " 'pre': 'colorsys' in sys.modules, 'pid': os.getpid(),"
                       " 'env': os.environ.get('WB_FORK_TEST')}))")
        os.environ["WB_FORK_TEST"] = "yes"
        try:
            manager = _kernel_manager_class(tmp_path, tmp_path / "logs" / "k.log",
                                            cwd=tmp_path, fork_server=server)
            out = pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"),
                                      kernel_name="python3", progress_bar=False,
                                      kernel_manager_class=manager)
        finally:
            os.environ.pop("WB_FORK_TEST")
        seen = json.loads(out.cells[0].outputs[0]["text"])
        assert seen["ppid"] == server._proc.pid  # forked by the server, not started afresh
        assert seen["pre"] is True and seen["env"] == "yes"
        assert Path(seen["cwd"]) == tmp_path
        # the server stays single-threaded (a fork copies no lock held by another thread)
        assert len(os.listdir(f"/proc/{server._proc.pid}/task")) == 1
        assert not Path(f"/proc/{seen['pid']}").exists()  # the kernel exited and was reaped
    finally:
        server.close()
    assert server.spawn([sys.executable, "-m", "ipykernel_launcher"], env={}, cwd=tmp_path,
                        log=tmp_path / "x.log") is None  # closed: the caller starts it itself


def test_only_the_ipykernel_launcher_is_forked(tmp_path):
    server = ForkServer([])
    try:
        assert server.spawn(["/bin/echo", "-m", "ipykernel_launcher"], env={}, cwd=tmp_path,
                            log=tmp_path / "x.log") is None
        assert server.spawn([sys.executable, "-m", "other"], env={}, cwd=tmp_path,
                            log=tmp_path / "x.log") is None
        assert server.spawn([sys.executable, "-O", "-m", "ipykernel_launcher"], env={},
                            cwd=tmp_path, log=tmp_path / "x.log") is None
    finally:
        server.close()
