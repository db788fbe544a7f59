"""Start report kernels from one process that has already imported what they import.

Every report kernel of a run used to start Python afresh and import pandas, matplotlib,
scikit-learn, SciPy and the workbench (about 2.5 s of CPU per kernel on the 2-core CI machine,
measured with ``python -X importtime``), ten times per run. A :class:`ForkServer` is one
process, started by the runner once per run, that imports those modules once: the modules
the run's notebooks import (read from their code cells), plus ipykernel. Each kernel is then
a ``fork(2)`` of it that runs ``ipykernel`` exactly as ``python -m ipykernel_launcher -f
CONNECTION_FILE`` would, with the environment, working directory and log file the kernel
manager asked for.

The same safety as a kernel started by ``subprocess``:

- the server dies with the runner (``PR_SET_PDEATHSIG``, see :func:`die_with_parent`), and
  each kernel dies with the server, so ``kill -9`` of the runner leaves no kernel behind;
- a kernel is the leader of its own session (``setsid``), so the kernel manager's signals to
  its process group reach it and nothing else;
- the server never runs notebook code, and it refuses to fork while a Python thread other
  than its own runs (a module that starts one at import). The native threads that libraries
  start at import are fork-aware: pyarrow's jemalloc background thread, and OpenBLAS's pool
  (which it stops before a fork, with ``pthread_atfork``); a fork copies no lock they hold;
- it starts in an empty folder of its own and drops its working folder from ``sys.path`` (as
  ``ipykernel_launcher`` does), so no file of the runner's working folder (a
  ``matplotlibrc``, a ``pandas.py``) is read or imported; each kernel then changes to the folder
  the kernel manager asks for, where IPython puts ``''`` on ``sys.path`` as usual;
- it has a session of its own, so a Ctrl-C on the terminal reaches the runner, not the
  kernels (the runner ends the run, and the kernels die with it);
- a kernel runs the ``atexit`` handlers before it exits, as a kernel started afresh does;
- where fork is not available (not Linux), the server fails to start, does not answer within
  :data:`FIRST_REPLY_S` (its imports) or :data:`REPLY_S` seconds, or a request fails, the
  runner starts the kernel the usual way (:meth:`ForkServer.spawn` returns None).

What differs from a kernel started afresh, and is left so: the kernels of one run share the
server's string hash seed (``PYTHONHASHSEED``), and ``ForkedKernel.returncode`` is 0 however
the kernel exited (its status is the server's to read; a dead kernel is still seen at once).

Protocol (one JSON object per line on the server's stdin and stdout, which it moves to
private descriptors before importing anything, so a module that prints cannot garble a
reply): the first line is the list of modules to import; each later line is ``{"argv",
"env", "cwd", "log"}`` and is answered with ``{"pid": N}`` or ``{"error": "..."}``.
"""

from __future__ import annotations

import ast
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["ForkServer", "ForkedKernel", "die_with_parent", "notebook_imports"]

#: Set in the server's environment to the runner's pid.
PARENT_ENV = "WORKBENCH_FORKSERVER_PARENT"
#: Seconds to wait for the first reply (the server imports first) and for each later one.
FIRST_REPLY_S, REPLY_S = 180.0, 30.0
#: What every kernel imports before the notebook's first cell.
KERNEL_MODULES = ("ipykernel.kernelapp", "matplotlib_inline.backend_inline")
#: The backend ipykernel selects for a kernel started without MPLBACKEND (kernelapp.py): set
#: before the server imports matplotlib, which reads it once, at import.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def die_with_parent() -> None:
    """In a child, before exec (or right after fork): ask Linux to kill it when its parent dies.

    jupyter_client starts every kernel in a session of its own, so ``kill -9`` of the runner
    (or of its process group) would leave the kernel running, still writing into the staging
    folder that the next run removes. ``PR_SET_PDEATHSIG`` (prctl(2)) sends it ``SIGKILL``
    the moment its parent goes. The runner gives it to its loader, its kernels and the fork
    server; the server's kernels take it from the server.
    """
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The modules the code cells of ``notebooks`` import, in first-seen order.

    Cells that are not valid Python (IPython magics) are skipped; ``from a import b`` yields
    ``a`` and ``a.b`` (``b`` may be a submodule; the server skips names that are not modules).
    """
    seen: dict[str, None] = {}
    for path in notebooks:
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    seen.update((alias.name, None) for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    seen[node.module] = None
                    seen.update((f"{node.module}.{alias.name}", None) for alias in node.names)
    return list(seen)


class ForkedKernel:
    """The part of ``subprocess.Popen`` a kernel provisioner uses, for a kernel that is the
    fork server's child, not ours: its exit status is not ours to read, so ``returncode`` is
    0 once the process is gone (the server reaps it at once)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _alive(self.pid):
            self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return state not in ("Z", "X")


class ForkServer:
    """The runner's handle on one fork server (see the module docstring).

    ``start`` returns at once; the server imports ``modules`` while the runner goes on, and
    the first :meth:`spawn` waits for it. Thread-safe: the runner's notebook threads share it.
    """

    def __init__(self, modules: list[str], *, log: Path | None = None,
                 preexec_fn: Any = None) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._answered = False
        self._home: str | None = None
        if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
            return
        self._home = tempfile.mkdtemp(prefix="workbench-forkserver-")
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", INLINE_BACKEND)
        # Marks the server and its kernels (a fork keeps the environment block it started
        # with in /proc/PID/environ) as this runner's, for tools that look for leftovers.
        env[PARENT_ENV] = str(os.getpid())
        sink = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "workbench.forkserver"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=sink, env=env, cwd=self._home,
                start_new_session=True,
                preexec_fn=preexec_fn)  # noqa: PLW1509 - ctypes prctl only, as the kernels
            self._send(list(KERNEL_MODULES) + [m for m in modules if m not in KERNEL_MODULES])
        except OSError:
            self.close()
        finally:
            if log is not None:
                sink.close()

    def _send(self, message: Any) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(message).encode() + b"\n")
        self._proc.stdin.flush()

    def spawn(self, argv: list[str], *, env: dict[str, str], cwd: str | Path,
              log: str | Path) -> int | None:
        """Fork a kernel for ``argv`` (``python -m ipykernel_launcher ...``): its pid, or None
        if the server cannot (the caller then starts the kernel itself)."""
        args = _launcher_args(argv)
        if args is None:
            return None
        with self._lock:
            if self._proc is None:  # never started, or closed by another thread
                return None
            try:
                self._send({"argv": args, "env": env, "cwd": str(cwd), "log": str(log)})
                reply = json.loads(self._reply(FIRST_REPLY_S if not self._answered else REPLY_S))
            except Exception:  # noqa: BLE001 - whatever went wrong, the kernel starts as usual
                reply = {}
            pid = reply.get("pid") if isinstance(reply, dict) else None
            if not isinstance(pid, int):
                self.close()  # it is gone or confused: every later kernel starts the usual way
                return None
            self._answered = True
            return pid

    def _reply(self, timeout: float) -> bytes:
        """One line from the server within ``timeout`` seconds (TimeoutError otherwise)."""
        assert self._proc is not None and self._proc.stdout is not None
        out = self._proc.stdout
        line = b""
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([out], [], [], timeout)
            if not ready:
                raise TimeoutError(f"no reply from the fork server in {timeout:.0f} s")
            chunk = os.read(out.fileno(), 4096)
            if not chunk:
                raise EOFError("the fork server has gone")
            line += chunk
        return line

    def close(self) -> None:
        """Stop the server; kernels it started go with it (``PR_SET_PDEATHSIG``)."""
        proc, self._proc = self._proc, None
        if self._home is not None:
            import shutil

            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()


def _launcher_args(argv: list[str]) -> list[str] | None:
    """The ipykernel arguments of ``argv`` if it is ``THIS_PYTHON [-Xfrozen_modules=off] -m
    ipykernel_launcher ARGS`` (the venv's and the runner's kernelspecs), else None: another
    interpreter or other interpreter options cannot be a fork of this one."""
    rest = argv[1:]
    if rest[:1] == ["-Xfrozen_modules=off"]:  # the debugger's option: no effect on a fork
        rest = rest[1:]
    if (len(argv) < 3 or rest[:2] != ["-m", "ipykernel_launcher"]
            or Path(argv[0]).resolve() != Path(sys.executable).resolve()):
        return None
    return rest[2:]


# ---------------------------------------------------------------------------------------------
# The server process.


def _import_all(modules: list[str]) -> None:
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except (Exception, SystemExit):  # noqa: BLE001, S112 - a name, not a module; or the
            continue                     # kernel that needs it will say why


def _child(request: dict[str, Any], server_pid: int, protocol: tuple[Any, ...]) -> None:
    """In the forked kernel: become what ``python -m ipykernel_launcher ARGV`` would be.

    ``protocol`` are the server's request and reply files: closed here, so a kernel holds no
    end of the runner's pipes (the runner sees the server's end when the server ends).
    """
    code = 1
    try:
        for handle in protocol:
            try:
                os.close(handle.fileno())
            except OSError:
                pass
        os.setsid()
        if sys.platform.startswith("linux"):
            die_with_parent()
            if os.getppid() != server_pid:  # the server died before prctl
                os._exit(1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        fd = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
        import atexit

        atexit._run_exitfuncs()  # as at the end of a kernel started afresh
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a kernel that cannot start says why in its log
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - exiting anyway
                pass
        os._exit(code)


def serve() -> None:
    """The server's main loop: import, then fork a kernel per request until stdin closes."""
    # The protocol gets descriptors of its own: what a module prints goes to the log (stderr),
    # and what it reads from stdin is empty.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    if sys.path and sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher does
        del sys.path[0]
    first = requests.readline()
    if not first:
        return
    _import_all(json.loads(first))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps its children: no zombies
    server_pid = os.getpid()
    for line in iter(requests.readline, b""):
        try:
            request = json.loads(line)
            if threading.active_count() > 1:
                raise OSError(f"{threading.active_count() - 1} Python thread(s) started by an "
                              "imported module: a fork would copy their locks")
            pid = os.fork()
        except (OSError, ValueError) as exc:
            replies.write(json.dumps({"error": str(exc)}).encode() + b"\n")
            replies.flush()
            continue
        if pid == 0:
            _child(request, server_pid, (requests, replies))
        replies.write(json.dumps({"pid": pid}).encode() + b"\n")
        replies.flush()


if __name__ == "__main__":
    serve()
