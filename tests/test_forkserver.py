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


def test_a_kernel_is_a_fork_of_the_server_with_its_modules_imported(tmp_path, monkeypatch):
    import papermill as pm

    # the runner's working folder: neither its matplotlibrc nor its modules reach the kernels
    here = tmp_path / "cwd"
    here.mkdir()
    (here / "matplotlibrc").write_text("figure.dpi: 42\n")
    (here / "wb_shadow_probe.py").write_text("raise SystemExit('imported from the cwd')\n")
    # a module that prints and reads stdin at import cannot garble the protocol
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "wb_noisy_probe.py").write_text(
        "import sys\nprint('noise', flush=True)\nsys.stdin.read()\n")
    monkeypatch.chdir(here)
    monkeypatch.setenv("PYTHONPATH", str(mods))
    server = ForkServer(["colorsys", "no_such_module_xyz", "wb_shadow_probe", "wb_noisy_probe"],
                        log=tmp_path / "server.log", preexec_fn=_die_with_parent)
    monkeypatch.delenv("PYTHONPATH")
    try:
        nb = _notebook(tmp_path / "k.ipynb",
                       "import os, sys, json, matplotlib\n"
                       "print(json.dumps({'ppid': os.getppid(), 'cwd': os.getcwd(),"
                       " 'pre': 'colorsys' in sys.modules, 'pid': os.getpid(),"
                       " 'noisy': 'wb_noisy_probe' in sys.modules,"
                       " 'shadow': 'wb_shadow_probe' in sys.modules,"
                       " 'dpi': matplotlib.rcParams['figure.dpi'],"
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
        assert seen["pre"] is True and seen["env"] == "yes" and seen["noisy"] is True
        assert seen["shadow"] is False and seen["dpi"] != 42
        assert Path(seen["cwd"]) == tmp_path
        assert "noise" in (tmp_path / "server.log").read_text()
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


def test_a_server_that_died_means_the_usual_launch(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    server = ForkServer(["colorsys"])
    server._proc.kill()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "c.json")]
    with ThreadPoolExecutor(2) as pool:  # two notebook threads asking at once
        pids = list(pool.map(lambda _: server.spawn(argv, env={}, cwd=tmp_path,
                                                    log=tmp_path / "k.log"), range(2)))
    assert pids == [None, None] and server._proc is None
