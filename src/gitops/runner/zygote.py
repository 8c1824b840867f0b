"""The step server's process: imports the step image's libraries once, then forks one pod process per request.

gitops.runner.step_server starts it (`python -c BOOTSTRAP this-file FD`) with a pod's base environment and
talks JSON lines over the socket FD. It imports only the standard library and PRELOAD, and before a fork
it holds no database connection and no socket but FD (a pod must not share a connection with its
siblings), no Python thread but its main one, and no native thread but those of KNOWN_NATIVE_THREADS:
their libraries quiesce and restart them around fork (pthread_atfork). Any other thread, which a fork
would leave holding its locks, makes every pod run plain.

A pod process is forked twice (the middle process exits at once), so it is re-parented to the runner,
which is a child subreaper: the runner waits on it, signals its process group and reads its exit status
exactly as it does for a process it started itself. The pod leads its own session, waits for the runner's
go (one byte on a pipe sent with the request: a runner that stopped waiting for the answer closes it, and
the pod exits 127 without running, so no step runs twice) and becomes what a fresh interpreter would be
(gitops/runner/fresh_interpreter.py).

A forked pod starts as if its program had imported PRELOAD first: their import-time effects (MLflow's
telemetry file under $HOME, scikit-learn's KMP_* variables, the warnings filters numpy, scipy, urllib3
and ruamel install) are there even when the program never imports them; every step of the step image
does, so restoring the interpreter's default filters would make the steps differ from plain ones.
Other differences by design: every forked pod has the server's hash seed (str hashes are seeded once,
at interpreter start; PYTHONHASHSEED is read then, so a pod setting it runs plain); /proc/<pid>/cmdline
shows the server's bootstrap line, not the pod's argv (sys.argv and sys.orig_argv are the pod's); and
the runner stays a child subreaper for its life, so orphans of plain pods become its children too, ended
and reaped when it ends (gitops/runner/children.py).

The runner asks only for `python -m/-c` pods. One the server cannot run as the interpreter would is
answered {"plain": why}, and the runner starts a plain process: an unknown thread in the server, a working
directory that does not exist, or an environment that differs from the server's in a variable the
preloaded libraries (or the interpreter and the native libraries at start-up) read while importing, or
in any variable once a file no pod re-derives from read the whole environment.
"""

import gc
import importlib.util
import json
import os
import signal
import socket
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _load_beside(name: str):
    """A module of this folder, by path and outside sys.modules: importing gitops.* here would put the
    tooling into every pod."""
    spec = importlib.util.spec_from_file_location(
        f"_step_server_{name}", os.path.join(os.path.dirname(__file__), f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FRESH = _load_beside("fresh_interpreter")  # what a forked pod does to be a fresh interpreter

# What the step image's steps import (python -m mlpipeline.<step>), found by listing the modules each step
# imported after the fork, minus matplotlib: it binds its config dir, rcParams (read from the cwd and $HOME)
# and font list to $HOME at import, and every pod has its own $HOME; and only validate imports it, so its
# import here would only move before train, which waits for this server: no run would be shorter.
# mlpipeline itself is left out: `-m mlpipeline.<step>` must find its module not yet imported, as a fresh
# interpreter does.
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.pandas_compat",
    "scipy.stats",
    "sklearn.datasets",
    "sklearn.ensemble",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sqlalchemy.dialects.sqlite",
    "alembic.command",
    "alembic.config",
    "git",
    "mlflow",
    "mlflow.models",
    "mlflow.pyfunc",
    "mlflow.sklearn",
    "mlflow.store.tracking.sqlalchemy_store",
    "mlflow.store.tracking.sqlalchemy_workspace_store",
    "mlflow.store.model_registry.sqlalchemy_store",
    "mlflow.store.model_registry.sqlalchemy_workspace_store",
    "mlflow.tracing.processor.base_mlflow",
    "mlflow.tracing.processor.otel",
    "prometheus_client",
    "requests",
    "ruamel.yaml",
    "yaml",
)
# Read at start-up by the interpreter, libc or the native libraries (not through os.environ): a pod that
# sets any of these differently from the server runs as a plain process.
NATIVE_PREFIXES = (
    "PYTHON",
    "LC_",
    "LANG",
    "TZ",
    "OPENBLAS_",
    "OMP_",
    "MKL_",
    "KMP_",
    "GOTO",
    "LD_",
    "MALLOC_",
    "NPY_",
    "NUMPY_",
    "ARROW_",
    "JE_",
    "GOMP_",
)
# Native threads the preloaded libraries start whose libraries register pthread_atfork handlers (so a
# forked child is sound), by their /proc/self/task/<tid>/comm.
KNOWN_NATIVE_THREADS = {"jemalloc_bg_thd": "pyarrow's jemalloc background thread"}
# OpenBLAS's workers keep the process's name, so they are counted instead: threads - 1 per OpenBLAS library
# threadpoolctl finds (numpy's and scipy's); OpenBLAS stops and restarts them around fork.
openblas_workers = 0


class _Recording(type(os.environ)):
    """os.environ, noting every variable read (and every whole-environment read, as "*") while importing,
    and which file read the ones each pod re-derives."""

    read: set = set()
    written: dict = {}
    readers: dict = {}  # variable each pod re-derives -> the files that read it

    def __getitem__(self, key):
        self._note(key if isinstance(key, str) else key.decode())
        return super().__getitem__(key)

    def __iter__(self):
        self._note("*")
        return super().__iter__()

    def _note(self, key: str) -> None:
        _Recording.read.add(key)
        if key in FRESH.RESET_VARIABLES:
            frame = sys._getframe(2)
            while frame.f_code.co_filename.startswith("<frozen") or frame.f_code.co_filename.endswith(_PLUMBING):
                frame = frame.f_back
            _Recording.readers.setdefault(key, set()).add(frame.f_code.co_filename)

    def __setitem__(self, key, value):
        _Recording.written[key] = value
        super().__setitem__(key, value)


# Between a reader and os.environ (the last three are frozen unless -X frozen_modules=off).
_PLUMBING = ("/pathlib.py", "/zygote.py", "/posixpath.py", "/os.py", "/_collections_abc.py")


def preload() -> tuple[set, dict]:
    """Import PRELOAD and warm caches; returns the variables read and those set (sklearn sets KMP_* ones).
    A variable each pod re-derives counts as read, so that a pod must have the server's value, if a file
    that fresh_interpreter does not know read it: what that file kept, no pod re-derives."""
    plain = os.environ.__class__
    os.environ.__class__ = _Recording
    gc.disable()  # a fifth of the import time is the collector walking the new modules, which live on
    try:
        for name in PRELOAD:
            __import__(name)
        _warm_mlflow()
    finally:
        os.environ.__class__ = plain
        gc.freeze()  # and no pod's collector walks them, nor copies their pages by touching them
        gc.enable()
    global openblas_workers
    openblas_workers = _openblas_workers()
    unknown = {}
    for key, files in _Recording.readers.items():
        if strangers := sorted(f for f in files if not f.endswith(FRESH.RESET_READERS)):
            unknown[key] = strangers
    if unknown:
        print(f"read while importing by files no pod re-derives from: {unknown}", flush=True)
    read = (_Recording.read - FRESH.RESET_VARIABLES) | set(unknown)
    return read, dict(_Recording.written)


def _openblas_workers() -> int:
    try:
        import threadpoolctl  # scikit-learn's import already; without it OpenBLAS's workers count as unknown
    except ImportError:
        return 0
    return sum(max(0, i["num_threads"] - 1) for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas")


def unknown_threads() -> list[str]:
    """The names of this process's threads that are neither Python's main thread nor known native ones
    (threading counts only the threads it started: a native one, or one of _thread's, it never sees)."""
    python = {t.native_id for t in threading.enumerate()}
    own_name = _comm("/proc/self")
    unnamed, unknown = 0, []
    for tid in os.listdir("/proc/self/task"):
        name = _comm(f"/proc/self/task/{tid}")
        if int(tid) == os.getpid() or name in KNOWN_NATIVE_THREADS:
            continue
        if name == own_name and int(tid) not in python:
            unnamed += 1
        else:
            unknown.append(name)
    return unknown + [own_name] * max(0, unnamed - openblas_workers)


def _comm(proc: str) -> str:
    try:
        with open(f"{proc}/comm") as handle:
            return handle.read().strip()
    except OSError:  # a thread that just ended
        return ""


def _warm_mlflow() -> None:
    """Which module each installed distribution provides: MLflow walks every distribution's file list for it
    in each log_model (its requirements check), and the answer depends only on what is installed."""
    from mlflow.utils import requirements_utils

    if hasattr(requirements_utils, "_init_modules_to_packages_map"):
        requirements_utils._init_modules_to_packages_map()


def refusal(request: dict, started_env: dict, read: set) -> str:
    """Why this pod cannot be forked from here (empty when it can)."""
    if request["argv"][0] != sys.executable:  # the runner only asks for `python -m/-c` (step_server.forkable)
        return f"{request['argv'][0]} is not this server's interpreter"
    if threading.active_count() != 1:
        return f"the server has {threading.active_count()} Python threads; forking now is unsafe"
    if strangers := unknown_threads():
        names = ", ".join(sorted(strangers))
        return f"the server has threads no preloaded library accounts for ({names}); forking now is unsafe"
    if not os.path.isdir(request["cwd"]):
        return f"no working directory {request['cwd']}"
    env = request["env"]
    if "*" in read and env != started_env:
        # A file no pod re-derives from kept the whole environment ("*": os.environ iterated or copied):
        # any variable the pod sets differently may be in what it kept.
        differ = sorted(k for k in {*env, *started_env} if env.get(k) != started_env.get(k))
        shown = ", ".join(differ[:3])
        return f"the imports read the whole environment, and the pod's differs from the server's ({shown})"
    names = read | {k for k in {*env, *started_env} if k.startswith(NATIVE_PREFIXES)}
    differ = sorted(k for k in names if env.get(k) != started_env.get(k))
    if differ:
        return f"the pod sets {', '.join(differ[:3])} differently from the server, and the imports read them"
    return ""


def serve(conn: socket.socket) -> dict | None:
    """Answer requests until the runner hangs up (None); in a forked pod process, return its request."""
    started_env = dict(os.environ)
    began = time.perf_counter()
    try:
        read, written = preload()
    except Exception as err:  # noqa: BLE001 - reported to the runner, which then starts plain processes
        _send(conn, {"error": f"preloading failed: {type(err).__name__}: {err}"})
        return None
    seconds = round(time.perf_counter() - began, 3)
    written = {k: v for k, v in written.items() if k not in FRESH.RESET_VARIABLES}
    try:
        _send(conn, {"ready": True, "seconds": seconds, "modules": len(sys.modules), "environ": started_env})
    except OSError:  # the runner is gone (it was killed while this imported)
        return None
    print(f"preloaded {len(sys.modules)} modules in {seconds} s; read while importing: {sorted(read)}", flush=True)
    for request, go in _requests(conn):
        why = refusal(request, started_env, read) if go is not None else "no go pipe came with the request"
        if why:
            if go is not None:
                os.close(go)
            _send(conn, {"plain": why})
            print(f"plain: {request.get('name', '')}: {why}", file=sys.stderr, flush=True)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        report_r, report_w = os.pipe()
        middle = os.fork()
        if middle == 0 and _fork_pod(report_w):
            for fd in (report_r, report_w):
                os.close(fd)
            conn.close()
            return {**request, "env": {**written, **request["env"]}, "go": go}
        os.close(report_w)
        os.close(go)  # the pod's alone now: the server holds no pod's go pipe
        os.waitpid(middle, 0)
        with os.fdopen(report_r) as report:
            pid = report.read().strip()
        _send(conn, {"pid": int(pid)} if pid else {"plain": "the forked process died before it started"})
        print(f"forked {request.get('name', '')} as {pid}", file=sys.stderr, flush=True)
    return None


def _requests(conn: socket.socket):
    """The runner's requests, one JSON line each, with the read end of that pod's go pipe (SCM_RIGHTS, sent
    with the line; None if it came without). The runner sends the next request only after this one's answer."""
    pending, fds = b"", []
    while True:
        while b"\n" not in pending:
            data, received, _flags, _address = socket.recv_fds(conn, 65536, 1)
            fds += received
            if not data:  # the runner hung up
                for fd in fds:
                    os.close(fd)
                return
            pending += data
        line, pending = pending.split(b"\n", 1)
        yield json.loads(line), (fds.pop(0) if fds else None)


def _await_go(go: int, runner: int) -> bool:
    """In the pod, before it touches anything of the runner's: whether to run. The runner writes one byte once
    it holds this pod's pid; end of file instead means it gave up on the answer and started the pod as a plain
    process (or died), and this one must never run. Once told to run, it dies with the runner, as a plain pod
    does (local_pod.start)."""
    try:
        told = os.read(go, 1) == b"g"
    except OSError:
        told = False
    os.close(go)
    if not told:
        return False
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    return os.getppid() == runner  # else the runner died before the prctl, and no signal will come


def _fork_pod(report_w: int) -> bool:
    """In the middle process: fork the pod and exit at once, so the pod is re-parented to the runner (its
    subreaper). Returns only in the pod, which reports its pid once it leads its own session and group,
    so the runner's killpg always finds the group."""
    try:
        if os.fork() == 0:
            os.setsid()
            os.write(report_w, f"{os.getpid()}\n".encode())
            return True
    except BaseException:  # noqa: BLE001 - no pid reaches the server, which answers "plain"
        pass
    os._exit(0)


def _send(conn: socket.socket, message: dict) -> None:
    conn.sendall((json.dumps(message) + "\n").encode())


def main() -> int:
    conn = socket.socket(fileno=int(sys.argv[2]))  # python -c BOOTSTRAP this-file FD
    home = os.getcwd()
    request = serve(conn)
    if request is None:  # the runner hung up: nothing here needs finalizing
        sys.stdout.flush()
        sys.stderr.flush()
        if os.path.basename(home).startswith("gitops-step-server-"):
            # A runner that stops it kills it first; one that was SIGKILLed leaves its home to it.
            import shutil

            shutil.rmtree(home, ignore_errors=True)
        os._exit(0)
    if not _await_go(request.pop("go"), request.get("runner", -1)):
        os._exit(127)
    try:
        FRESH.become(request)
    except BaseException as err:  # noqa: BLE001 - the pod's end, not the server's finalization
        os.write(2, f"step server: cannot start the pod as a fresh interpreter: {type(err).__name__}: {err}\n".encode())
        os._exit(127)
    FRESH.run_and_exit(request)
    return 0


if __name__ == "__main__":
    sys.exit(main())
