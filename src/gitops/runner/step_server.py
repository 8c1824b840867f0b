"""The step server: pods of the step image forked from one interpreter that imported its libraries once.

A pod of the step image is `python -m mlpipeline.<step>`, and most of such a process's life is importing
MLflow, scikit-learn and pandas. The server (gitops/runner/zygote.py, its own process) imports them once;
each pod is then a fork of it that sets its own argv, environment, working directory and stdout/stderr
files and runs the step, so each pod is still a separate process with its own exit code and files.
The runner becomes a child subreaper, so a forked pod is its child: it waits on it, kills its process
group at a deadline and reads its exit status as it does for a plain process (ForkedPod is Popen's
subset the runner uses).

Whatever the server cannot run as a fresh interpreter would (zygote.py says what) it answers "plain",
and `spawn` returns None: the caller starts a plain process. A server that cannot start, or that stops
answering in time or answers nonsense, is stopped and never asked again: every later pod runs plain, and
the summary says why. A forked pod waits for the runner's go, a byte on a pipe sent with the request, so
a pod forked for an answer the runner stopped waiting for never runs: the caller's plain process is that
step's only run. `--step-server off` (or GITOPS_STEP_SERVER=off) runs every pod as a plain process.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ZYGOTE = Path(__file__).with_name("zygote.py")
# Run the server's file as __main__ with sys.path[0] = "" (its own empty directory): run by path,
# src/gitops/runner/operator.py would shadow the standard library's operator module.
BOOTSTRAP = "import sys; path = sys.argv[1]; __file__ = path; exec(compile(open(path).read(), path, 'exec'))"
READY_TIMEOUT_S = 120.0
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


class ForkedPod:
    """A pod process the server forked and the kernel re-parented to the runner: Popen's wait, poll, pid."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def end(self) -> None:
        """SIGKILL its process group and reap it, unless it has ended (or was never this process's child)."""
        try:
            if self.poll() is not None:
                return
        except ChildProcessError:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.wait()

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is None:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return self.returncode


class _Broken(Exception):
    """The server's answer never came, or was no JSON line: what it sends later can match no request."""


@dataclass
class StepServer:
    process: subprocess.Popen | None  # None: it could not start (problem says why)
    conn: socket.socket | None
    base_env: dict[str, str]
    home: Path  # its cwd, HOME and TMPDIR, and its log: removed when it stops
    kept_log: Path | None = None
    additions: dict[str, str] = field(default_factory=dict)  # what the interpreter added at start (LC_CTYPE)
    ready: bool | None = None  # None until the server said
    problem: str = ""
    preload_seconds: float = 0.0
    forked: int = 0
    pods: list[ForkedPod] = field(default_factory=list)  # every pod it forked that the runner was told of
    plain: list[str] = field(default_factory=list)
    stopped: bool = False
    received: bytes = b""  # read from the connection, not yet a whole line

    @property
    def log(self) -> Path:
        return self.home / "step-server.log"

    @classmethod
    def start(cls, base_env: dict[str, str], home: Path) -> StepServer:
        """Start importing now. Where forking cannot keep a pod a child of the runner, a server that is
        not there (ready False, with the reason): every pod runs plain and the summary says why."""
        why = "this platform has no fork" if not hasattr(os, "fork") else _become_subreaper()
        if why:
            shutil.rmtree(home, ignore_errors=True)
            return cls(None, None, base_env, home, ready=False, problem=why, stopped=True)
        ours, theirs = socket.socketpair()
        with (home / "step-server.log").open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", BOOTSTRAP, str(ZYGOTE), str(theirs.fileno())],
                env=base_env,
                cwd=home,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        theirs.close()
        return cls(process, ours, base_env, home)

    def _await_ready(self, until: float | None) -> bool:
        """Whether the server is ready, waiting for it until the instant `until` at most (None: as long as
        it takes, within READY_TIMEOUT_S)."""
        if self.ready is None:
            if until is not None and not select.select([self.conn], [], [], max(0.0, until - time.time()))[0]:
                return False  # not yet: this pod runs as a plain process, the server serves the next ones
            try:
                message = self._receive("its imports")
            except _Broken as err:
                self._give_up(str(err))
                return False
            if message.get("ready"):
                self.ready = True
                self.preload_seconds = message["seconds"]
                started = message["environ"]
                self.additions = {k: v for k, v in started.items() if self.base_env.get(k) != v}
            else:
                self._give_up(message.get("error") or f"no answer (its log: {self.kept_log or self.log})")
        return bool(self.ready)

    def spawn(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        cwd: str,
        stdout: Path,
        stderr: Path,
        ready_by: float | None = None,
    ):
        """A ForkedPod running `argv`, or None: then the caller starts a plain process. While the server is
        still importing, this waits for it until `ready_by` at most: a caller with other pods to watch
        must not sleep past their ends and deadlines."""
        if not forkable(argv) or self.ready is False:
            return None  # a plain process, as always (or since the server stopped: describe says why)
        if not self._await_ready(ready_by):
            if self.ready is None:
                self.plain.append(f"{name}: the server was still importing")
            return None
        request = {
            "name": name,
            "argv": argv,
            "env": {**self.additions, **env},
            "cwd": cwd,
            "stdout": str(stdout),
            "stderr": str(stderr),
            "runner": os.getpid(),
        }
        go_r, go_w = os.pipe()  # the pod runs only once it reads a byte here (zygote._await_go)
        try:
            try:
                self._send(json.dumps(request).encode() + b"\n", go_r)
                answer = self._receive(f"{name}'s request")
            except OSError as err:
                answer = {"plain": f"the server is gone ({err.strerror})"}
            except _Broken as err:
                # It may still fork this pod: closing go_w below makes that pod exit 127 unrun, so the plain
                # process the caller starts instead is the step's only run.
                self._give_up(str(err))
                return None
            finally:
                os.close(go_r)  # the server has its own copy
            if not isinstance(answer.get("pid"), int):
                self.plain.append(f"{name}: {answer.get('plain') or answer.get('error') or 'no answer'}")
                return None
            pod = ForkedPod(answer["pid"])
            with contextlib.suppress(BrokenPipeError):  # it ended already: its exit status says how
                os.write(go_w, b"g")
        finally:
            os.close(go_w)
        self.forked += 1
        self.pods.append(pod)
        return pod

    def _send(self, line: bytes, fd: int) -> None:
        """One request line, with `fd` passed along (SCM_RIGHTS) with its first bytes."""
        sent = socket.send_fds(self.conn, [line], [fd])
        self.conn.sendall(line[sent:])

    def _receive(self, what: str) -> dict:
        """One JSON object line from the server; {} when it closed or died. _Broken when it said nothing
        within READY_TIMEOUT_S or something else than a JSON object."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while b"\n" not in self.received:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.conn], [], [], left)[0]:
                raise _Broken(f"no answer to {what} within {READY_TIMEOUT_S:g} s")
            chunk = self.conn.recv(65536)
            if not chunk:
                return {}
            self.received += chunk
        data, self.received = self.received.split(b"\n", 1)  # a line at a time, whatever recv returned
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            raise _Broken(f"a bad answer to {what}: {data[:80].decode(errors='replace').strip()!r}")
        return message

    def _give_up(self, why: str) -> None:
        """Never ask it again: stopped, so no late answer (nor a late fork) can meet a later request. The pods
        it forked before run on: the runner waits on them."""
        self.ready, self.problem = False, why
        self.stop(pods=False)

    def describe(self) -> str:
        """One line for the run's summary: how the pods ran."""
        if self.ready is False and not self.forked:
            return f"unavailable ({self.problem}); every pod ran as a plain process"
        text = f"{self.forked} pod(s) forked from one interpreter that imported the step image's libraries once"
        text += f" ({self.preload_seconds:.1f} s)" if self.preload_seconds else " (its imports never awaited)"
        if self.plain:
            text += f"; plain processes: {'; '.join(self.plain[:3])}{' ...' if len(self.plain) > 3 else ''}"
        if self.ready is False:
            text += f"; then it stopped ({self.problem}): every later pod ran as a plain process"
        return text

    def keep_log(self, path: Path) -> None:
        """Where the server's log goes when it stops (its own directory is removed then)."""
        self.kept_log = path

    def stop(self, pods: bool = True) -> None:
        """End the server (it holds nothing a pod needs: forked pods are the runner's) and keep its log; with
        `pods`, when the run is over, end every pod it forked that still runs, so that none outlives the run."""
        if pods:
            for pod in self.pods:
                pod.end()
        if self.stopped:
            return
        self.stopped = True
        self.process.kill()  # also mid-import; and before the hang-up, which would have it remove its log
        self.process.wait()
        self.conn.close()
        if self.kept_log is not None and self.log.is_file():
            shutil.copyfile(self.log, self.kept_log)
        shutil.rmtree(self.home, ignore_errors=True)


def forkable(argv: list[str]) -> bool:
    """`python -m module ...` or `python -c code ...` with this interpreter: the only commands the server
    can fork (local_pod has put sys.executable for `python`); anything else never waits for it."""
    return len(argv) >= 3 and argv[0] == sys.executable and argv[1] in ("-m", "-c")


def host_argv(argv: list[str]) -> list[str]:
    """A container's command as this machine runs it: `python` is the interpreter running the runner (a
    host path, never one of the pod's: the venv may itself live under /tmp)."""
    return [sys.executable, *argv[1:]] if argv[:1] in (["python"], ["python3"]) else argv


def serves(plan) -> bool:
    """Whether a template of the run is forkable: only then is the server worth its imports (the
    conformance cases' `sh -c` pods never ask it)."""
    for spec in [plan.main.spec, *(owner.spec for owner in plan.owners.values())]:
        for template in spec.get("templates") or []:
            container = template.get("container") or {}
            argv = [str(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]]
            if forkable(host_argv(argv)):
                return True
    return False


def _become_subreaper() -> str:
    """Orphaned descendants (a forked pod, once its middle process exits) become this process's children.
    Returns why not ("" when it is one now)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0:
            return ""
        return f"prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}"
    except (OSError, AttributeError) as err:
        return f"prctl(PR_SET_CHILD_SUBREAPER) is not available: {err}"
