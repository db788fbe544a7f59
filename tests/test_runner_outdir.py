"""A run never damages the last good one, writes readable files, keeps stderr out of reports,
declares its language and keeps the console to progress lines."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from workbench.cli import main
from workbench.outdir import OutdirError, staged_output
from workbench.runner import _kernel_manager_class, set_html_lang, take_stderr_outputs
from workbench.safety import atomic_write, write_csv

QUICK = "data_quality,overview"  # two short notebooks: enough for a whole run


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- language of the page
def test_html_lang_is_replaced_whatever_nbconvert_writes():
    assert set_html_lang('<!DOCTYPE html>\n<html lang="en">\n<head>', "zh").count(
        '<html lang="zh-CN">') == 1
    assert '<html lang="zh-CN">' in set_html_lang("<html>\n<head>", "zh")
    assert '<html lang="en">' in set_html_lang('<html lang="en" class="x">', "en")


def test_every_chinese_page_declares_zh_cn(rendered):
    for html in rendered["zh"].glob("*.html"):
        head = html.read_text(encoding="utf-8")[:400]
        assert re.search(r'<html lang="zh-CN">', head), html.name
    for html in rendered["en"].glob("*.html"):
        assert '<html lang="en">' in html.read_text(encoding="utf-8")[:400], html.name


# ---------------------------------------------------------------- permissions
def test_outputs_of_a_run_have_the_usual_permissions(rendered):
    umask = os.umask(0o022)
    os.umask(umask)
    out = rendered["en"]
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
    for path in out.rglob("*"):
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert path.stat().st_mode & 0o777 == expected, (path, oct(path.stat().st_mode))


def test_atomic_writes_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "a.txt", "w") as handle:
            handle.write("x")
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "b.csv")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "b.csv").stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------- stderr never in a report
def test_stderr_outputs_are_taken_out_of_the_notebook():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: odd\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="kept\n")]
    nb.cells = [cell, nbformat.v4.new_markdown_cell("text")]
    assert take_stderr_outputs(nb) == ["UserWarning: odd\n"]
    assert [o["name"] for o in nb.cells[0].outputs] == ["stdout"]


@pytest.fixture(scope="module")
def odd_data(tmp_path_factory) -> Path:
    """Forty customers, most with one order, identical prices, feedback of one or two rows per
    period: the data on which models warn (convergence, empty slices, constant columns)."""
    from workbench.demo import generate_demo

    folder = tmp_path_factory.mktemp("odd")
    generate_demo(folder, customers=40, seed=11)
    tx = pd.read_csv(folder / "transactions.csv", dtype=str, keep_default_na=False)
    tx["amount"] = "10.00"
    tx.to_csv(folder / "transactions.csv", index=False)
    fb = pd.read_csv(folder / "feedback.csv", dtype=str, keep_default_na=False)
    fb.head(3).to_csv(folder / "feedback.csv", index=False)
    return folder


def test_a_run_on_tiny_odd_data_shows_no_stderr_in_any_report(odd_data, tmp_path):
    out = tmp_path / "out"
    code = main(["run", "--data", str(odd_data), "--out", str(out), "--quiet", "--jobs", "2"])
    manifest = json.loads((out / "manifest.json").read_text())
    failed = {n["topic"]: n["error"] for n in manifest["notebooks"] if n["status"] == "failed"}
    assert code == 0 and not failed, failed
    for html in out.glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text, html.name
        assert "Warning:" not in text and "findfont" not in text, html.name


# ---------------------------------------------------------------- kernels and console
def test_kernels_talk_over_unique_unix_sockets_not_tcp_ports(tmp_path):
    cls = _kernel_manager_class(tmp_path, tmp_path / "k.log")
    first, second = cls(kernel_name="python3"), cls(kernel_name="python3")
    assert first.transport == second.transport == "ipc"
    assert first.ip != second.ip and Path(first.ip).parent == tmp_path


PROGRESS = re.compile(r"^(workbench run: .*|  [a-z_]+: (done|skipped|FAILED).*|  .+ was not read: .+)$")


def test_parallel_run_prints_only_progress_lines(tiny_demo, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "run", "--data", str(tiny_demo), "--out",
         str(tmp_path / "out"), "--jobs", "2", "--notebooks", "data_quality,segmentation,overview"],
        capture_output=True, text=True, timeout=600, check=False,
        env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 5 and all(PROGRESS.match(line) for line in lines), lines


# ---------------------------------------------------------------- a run that dies
@pytest.fixture(scope="module")
def finished_run(tiny_demo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "weekly"
    assert main(["run", "--data", str(tiny_demo), "--out", str(out), "--quiet",
                 "--notebooks", QUICK]) == 0
    return out


def _start(tiny_demo: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "run", "--data", str(tiny_demo), "--out",
         str(out), "--quiet", "--jobs", "1", "--notebooks", "data_quality,segmentation,overview"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"})


def _kernels_of(parent: int) -> list[int]:
    """Live processes started by ``parent`` as Jupyter kernels (``JPY_PARENT_PID``), or as
    its fork server and the kernels forked from it (``WORKBENCH_FORKSERVER_PARENT``)."""
    from workbench.forkserver import PARENT_ENV

    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            mine = {f"JPY_PARENT_PID={parent}".encode(), f"{PARENT_ENV}={parent}".encode()}
            if mine & set(environ) and "Z" not in state:
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_a_kernel_dies_with_its_runner(tmp_path):
    """A child started the way the runner starts kernels is killed when the runner is."""
    script = (
        "import subprocess, sys, time\n"
        "from workbench.runner import _die_with_parent\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],\n"
        "                         preexec_fn=_die_with_parent, start_new_session=True)\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n")
    runner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    with runner:
        child = int(runner.stdout.readline())
        runner.kill()
    for _ in range(50):
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            break  # gone
        if state in ("Z", "X"):
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the child outlived its runner by 5 s")


def _until_kernels(run: subprocess.Popen, timeout: float = 180.0) -> list[int]:
    """Wait until ``run`` has started its fork server or a kernel (or has ended): how long
    loading takes depends on the machine, so the test waits for the event, not a time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.poll() is None:
        kernels = _kernels_of(run.pid)
        if kernels:
            return kernels
        time.sleep(0.05)
    return []


@pytest.mark.parametrize("phase", ["loading", "kernels"])
def test_killed_run_leaves_the_previous_run_whole(finished_run, tiny_demo, tmp_path, phase):
    out = tmp_path / "weekly"
    shutil.copytree(finished_run, out)
    before = _snapshot(out)
    run = _start(tiny_demo, out)
    try:
        if phase == "loading":
            time.sleep(0.5)
        else:
            assert _until_kernels(run), "the run ended before it started a kernel"
            time.sleep(1.0)  # let the kernels write into the staging folder
    finally:
        try:
            os.killpg(run.pid, signal.SIGKILL)  # the runner, as kill -9 would (kernels have
        except ProcessLookupError:  # it had already finished        sessions of their own)
            pass
        run.wait()
    time.sleep(0.2)
    assert _kernels_of(run.pid) == []  # no orphan kernel goes on writing into the staging folder
    after = _snapshot(out)
    if after != before:  # killed after its swap: then the folder is the new run, whole
        manifest = json.loads((out / "manifest.json").read_text())
        assert [n["topic"] for n in manifest["notebooks"]] == [
            "overview", "data_quality", "segmentation"]
        assert set(json.loads((out / "metrics.json").read_text())) >= {"segmentation"}
        assert all((out / n["html"]).exists() for n in manifest["notebooks"])
        assert not any(path.startswith(".") for path in after)  # no temp file swapped in
    # the next run clears what the killed one left and swaps in a whole new run
    assert main(["run", "--data", str(tiny_demo), "--out", str(out), "--quiet",
                 "--notebooks", QUICK]) == 0
    assert not list(tmp_path.glob(".weekly.staging-*"))
    assert set(json.loads((out / "metrics.json").read_text())) == {
        "overview", "data_quality", "customers"}


def test_run_that_raises_leaves_the_previous_run_whole(finished_run, tiny_demo, tmp_path,
                                                      monkeypatch):
    out = tmp_path / "weekly"
    shutil.copytree(finished_run, out)
    before = _snapshot(out)
    import workbench.index

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while writing the index")

    monkeypatch.setattr(workbench.index, "write_index", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        main(["run", "--data", str(tiny_demo), "--out", str(out), "--quiet",
              "--notebooks", "data_quality"])
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(".weekly.staging-*"))


def test_interrupted_swap_is_recovered(tmp_path):
    out = tmp_path / "weekly"
    (tmp_path / ".weekly.previous").mkdir()
    (tmp_path / ".weekly.previous" / "manifest.json").write_text("{}")
    with staged_output(out) as stage:  # the next run first puts the previous run back
        assert (out / "manifest.json").exists()
        (stage / "manifest.json").write_text('{"new": 1}')
    assert json.loads((out / "manifest.json").read_text()) == {"new": 1}
    assert not (tmp_path / ".weekly.previous").exists()


def test_folder_of_other_files_is_not_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.docx").write_text("my notes")
    with pytest.raises(OutdirError, match="notes.docx"), staged_output(out):
        pass
    assert (out / "notes.docx").read_text() == "my notes"


def test_outdir_error_exits_2_with_a_message(tiny_demo, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    assert main(["run", "--data", str(tiny_demo), "--out", str(tmp_path), "--quiet",
                 "--notebooks", "data_quality"]) == 2
    assert "not from a workbench run" in capsys.readouterr().err


def test_skip_reason_is_in_the_report_language(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id,tier\n1,gold\n2,silver\n")
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--out", str(out), "--quiet", "--lang", "zh",
                 "--notebooks", "data_quality,segmentation"]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "客户分层 需要" in index and "needs transactions.csv" not in index


def test_parallel_runs_leave_the_working_directory_alone(tiny_demo, tmp_path):
    before = os.getcwd()
    assert main(["run", "--data", str(tiny_demo), "--out", str(tmp_path / "b"), "--quiet",
                 "--jobs", "2", "--notebooks", "data_quality,lifecycle"]) == 0
    assert os.getcwd() == before
    executed = nbformat.read(tmp_path / "b" / "notebooks" / "03_lifecycle.ipynb", as_version=4)
    injected = [c.source for c in executed.cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert str(tmp_path / "b") in injected[0] and ".staging-" not in injected[0]
