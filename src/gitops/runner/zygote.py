"""The step server's process: imports the step image's libraries once, then forks one pod process per request.

gitops.runner.step_server starts it (`python -c BOOTSTRAP this-file FD`) with a pod's base environment and
talks JSON lines over the socket FD. It imports only the standard library and PRELOAD, and before a fork
it holds no thread, no database connection and no socket but FD: forking after threads is unsafe, and a
pod must not share a connection with its siblings.

A pod process is forked twice (the middle process exits at once), so it is re-parented to the runner,
which is a child subreaper: the runner waits on it, signals its process group and reads its exit status
exactly as it does for a process it started itself. The pod then sets up what a fresh interpreter would
have (session, stdout/stderr files, cwd, environ, argv, __main__, sys.path[0]), re-derives the little
import-time state that came from the server's own environment (RESET), and runs `-m module` or `-c code`
through the interpreter's own exit path (threads joined, atexit, streams flushed, SystemExit and
uncaught exceptions as `python` handles them).

A forked pod starts as if its program had imported PRELOAD first: their import-time effects (MLflow's
telemetry file under $HOME, scikit-learn's KMP_* variables) are there even when the program never
imports them; every step of the step image does.

A request the server cannot run as the interpreter would is answered {"plain": why}, and the runner
starts a plain process: a command other than this interpreter with -m/-c, a thread in the server, a
working directory that does not exist, or an environment that differs from the server's in a variable
the preloaded libraries (or the interpreter and the native libraries at start-up) read while importing.
"""

import gc
import json
import os
import socket
import sys
import threading
import time
import types

# What the step image's steps import (python -m mlpipeline.<step>), found by listing the modules each step
# imported after the fork, minus matplotlib: it binds its config and font cache to $HOME at import, and
# every pod has its own $HOME. mlpipeline itself is left out: `-m mlpipeline.<step>` must find its module
# not yet imported, as a fresh interpreter does.
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
NATIVE_PREFIXES = ("PYTHON", "LC_", "LANG", "TZ", "OPENBLAS_", "OMP_", "MKL_", "KMP_", "GOTO", "LD_", "MALLOC_")
# Read while importing, and re-derived in each pod from its own environment (RESET below).
RESET_VARIABLES = {"HOME", "TMPDIR", "XDG_CONFIG_HOME", "_MLFLOW_TELEMETRY_SESSION_ID", "*"}


class _Recording(type(os.environ)):
    """os.environ, noting every variable read (and every whole-environment read, as "*") while importing."""

    read: set = set()
    written: dict = {}

    def __getitem__(self, key):
        _Recording.read.add(key if isinstance(key, str) else key.decode())
        return super().__getitem__(key)

    def __iter__(self):
        _Recording.read.add("*")
        return super().__iter__()

    def __setitem__(self, key, value):
        _Recording.written[key] = value
        super().__setitem__(key, value)


def preload() -> tuple[set, dict]:
    """Import PRELOAD and warm caches; returns the variables read and those set (sklearn sets KMP_* ones)."""
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
    return set(_Recording.read), dict(_Recording.written)


def _warm_mlflow() -> None:
    """Which module each installed distribution provides: MLflow walks every distribution's file list for it
    in each log_model (its requirements check), and the answer depends only on what is installed."""
    from mlflow.utils import requirements_utils

    if hasattr(requirements_utils, "_init_modules_to_packages_map"):
        requirements_utils._init_modules_to_packages_map()


def refusal(request: dict, started_env: dict, read: set) -> str:
    """Why this pod cannot be forked from here (empty when it can)."""
    argv = request["argv"]
    if len(argv) < 3 or argv[0] != sys.executable or argv[1] not in ("-m", "-c"):
        return "the command is not this interpreter with -m or -c"
    if threading.active_count() != 1:
        return f"the server has {threading.active_count()} threads; forking now is unsafe"
    if not os.path.isdir(request["cwd"]):
        return f"no working directory {request['cwd']}"
    env = request["env"]
    names = (read | {k for k in {*env, *started_env} if k.startswith(NATIVE_PREFIXES)}) - RESET_VARIABLES
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
    written = {k: v for k, v in written.items() if k not in RESET_VARIABLES}
    _send(conn, {"ready": True, "seconds": seconds, "modules": len(sys.modules), "environ": started_env})
    print(f"preloaded {len(sys.modules)} modules in {seconds} s; read while importing: {sorted(read)}", flush=True)
    lines = conn.makefile("r", encoding="utf-8")
    for line in lines:
        request = json.loads(line)
        why = refusal(request, started_env, read)
        if why:
            _send(conn, {"plain": why})
            print(f"plain: {request.get('name', '')}: {why}", file=sys.stderr, flush=True)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        report_r, report_w = os.pipe()
        middle = os.fork()
        if middle == 0 and _become_orphan(report_w):
            for fd in (report_r, report_w):
                os.close(fd)
            lines.close()
            conn.close()
            return {**request, "env": {**written, **request["env"]}}
        os.close(report_w)
        os.waitpid(middle, 0)
        with os.fdopen(report_r) as report:
            pid = report.read().strip()
        _send(conn, {"pid": int(pid)} if pid else {"plain": "the forked process died before it started"})
        print(f"forked {request.get('name', '')} as {pid}", file=sys.stderr, flush=True)
    return None


def _become_orphan(report_w: int) -> bool:
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


def become_pod(request: dict) -> None:
    """What a fresh `python -m/-c` would have, from the request: files, cwd, environ, argv, __main__, state."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        os.dup2(handle, fd)
        os.close(handle)
    os.close(devnull)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    for reset in RESET:
        reset()
    mode, target, *rest = request["argv"][1:]
    sys.orig_argv = list(request["argv"])
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    if mode == "-m":
        sys.argv = ["-m", *rest]
        sys.path[0] = os.getcwd()
    else:
        sys.argv = ["-c", *rest]
        sys.path[0] = ""
    import importlib

    importlib.invalidate_caches()  # files may have changed since the server started


def run_pod(request: dict) -> None:
    """Run the pod's program, then leave through the interpreter's own exit (threads joined, atexit, files
    flushed); SystemExit reaches it as under `python`."""
    become_pod(request)
    mode, target = request["argv"][1:3]
    try:
        if mode == "-m":
            import runpy

            runpy._run_module_as_main(target)  # what `python -m` calls
        else:
            exec(compile(target, "<string>", "exec"), sys.modules["__main__"].__dict__)
    except SystemExit:
        raise
    except BaseException as err:
        # What the interpreter does with an uncaught exception, with a traceback that starts where a fresh
        # interpreter's would (without this file's frames); an uncaught Ctrl-C ends in 130, as SIGINT would.
        err = err.with_traceback(err.__traceback__.tb_next if err.__traceback__ else None)
        sys.last_type, sys.last_value, sys.last_traceback = type(err), err, err.__traceback__
        sys.excepthook(type(err), err, err.__traceback__)
        raise SystemExit(130 if isinstance(err, KeyboardInterrupt) else 1) from None


def _reset_tempfile() -> None:
    import tempfile

    tempfile.tempdir = None  # gettempdir() reads $TMPDIR again


def _reset_user_site() -> None:
    import site
    import sysconfig

    site.USER_BASE = site.USER_SITE = None  # both derive from $HOME
    if sysconfig._CONFIG_VARS is not None:
        sysconfig._CONFIG_VARS.pop("userbase", None)


def _reset_wsgiref() -> None:
    if "wsgiref.handlers" in sys.modules:  # a snapshot of the whole environment, taken at import
        handlers = sys.modules["wsgiref.handlers"]
        handlers.os_environ = handlers.read_environ()


def _reset_numpy_random() -> None:
    if "numpy.random" in sys.modules:  # seeded from the OS at import, so every fork would draw the same numbers
        sys.modules["numpy.random"].seed()


def _reset_mlflow() -> None:
    """MLflow's import-time reads of $HOME: the telemetry installation file and session, two default paths."""
    if "mlflow" not in sys.modules:
        return
    from pathlib import Path

    import mlflow.environment_variables as variables
    from mlflow.telemetry import client, installation_id

    variables.MLFLOW_ENV_ROOT.default = str(Path.home().joinpath(".mlflow", "envs"))
    provider = sys.modules.get("mlflow.legacy_databricks_cli.configure.provider")
    if provider is not None and hasattr(provider, "_home"):
        provider._home = os.path.expanduser("~")
    installation_id._INSTALLATION_ID_CACHE = None
    client.set_telemetry_client()


RESET = (_reset_tempfile, _reset_user_site, _reset_wsgiref, _reset_numpy_random, _reset_mlflow)


def main() -> int:
    conn = socket.socket(fileno=int(sys.argv[2]))  # python -c BOOTSTRAP this-file FD
    request = serve(conn)
    if request is None:
        # The runner hung up. Nothing here needs finalizing, and tearing down 3,000 modules would keep
        # the runner waiting a sixth of a second.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    run_pod(request)
    return 0


if __name__ == "__main__":
    sys.exit(main())
