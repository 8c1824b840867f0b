"""A pod forked from the step server becomes what `python -m module` / `python -c code` would have been.

Loaded by path into the step server's process (gitops/runner/zygote.py), standard library only, so no
pod finds the tooling imported. `become` sets up what a fresh interpreter has: stdin from /dev/null, the
pod's stdout/stderr files, working directory, environment, argv, an empty __main__ and sys.path[0], and
re-derives the import-time state that came from the server's own environment (RESET). `run_and_exit`
runs the program and leaves as the interpreter does: SystemExit and uncaught exceptions handled and
printed as `python` prints them (the traceback starts where a fresh interpreter's would), non-daemon
threads joined, atexit callbacks run, __main__ and the modules the pod imported itself torn down (so
the files they left open are flushed), stdout and stderr flushed (120 when that fails), and an uncaught
Ctrl-C ends by SIGINT. What it skips is tearing down the libraries the server preloaded, which takes a
fresh interpreter a third of a second and changes nothing a pod leaves behind.
"""

import atexit
import gc
import os
import signal
import sys
import threading
import time
import types

# Variables the server's libraries read while importing that each pod re-derives from its own
# environment (RESET below): the server need not refuse a pod whose values differ ("*": wsgiref's
# snapshot of the whole environment).
RESET_VARIABLES = {"HOME", "TMPDIR", "XDG_CONFIG_HOME", "_MLFLOW_TELEMETRY_SESSION_ID", "*"}
# The files that read them while the server imports (MLflow 3.17.2, GitPython, the standard library), each
# either re-derived by RESET or keeping nothing (GitPython copies the environment to run `git version`).
# A reader not listed here makes the server treat its variable as one a pod must not change.
RESET_READERS = (
    "/mlflow/environment_variables.py",
    "/mlflow/legacy_databricks_cli/configure/provider.py",
    "/mlflow/telemetry/installation_id.py",
    "/mlflow/telemetry/client.py",
    "/sysconfig.py",
    "/wsgiref/handlers.py",
    "/git/cmd.py",
)
INTERRUPTED = -1  # the program ended with an uncaught KeyboardInterrupt


def become(request: dict) -> None:
    """The pod's files, cwd, environ, argv, __main__ and sys.path[0], from the request."""
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
    mode, _target, *rest = request["argv"][1:]
    sys.orig_argv = list(request["argv"])
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    sys.argv = [mode, *rest]  # runpy puts the module's path in argv[0] for -m
    sys.path[0] = os.getcwd() if mode == "-m" else ""
    import importlib

    importlib.invalidate_caches()  # files may have changed since the server started


def run_and_exit(request: dict) -> None:
    """Run the pod's program (after `become`) and end the process with its exit status."""
    preloaded = set(sys.modules)
    status = _run(*request["argv"][1:3])
    _exit(status, preloaded)


def _run(mode: str, target: str) -> int:
    try:
        if mode == "-m":
            import runpy

            runpy._run_module_as_main(target)  # what `python -m` calls
        else:
            exec(compile(target, "<string>", "exec"), sys.modules["__main__"].__dict__)
    except SystemExit as err:
        return _system_exit_status(err)
    except BaseException as err:
        err = err.with_traceback(err.__traceback__.tb_next if err.__traceback__ else None)  # not this frame
        sys.last_type, sys.last_value, sys.last_traceback = type(err), err, err.__traceback__
        sys.excepthook(type(err), err, err.__traceback__)
        return INTERRUPTED if isinstance(err, KeyboardInterrupt) else 1
    return 0


def _system_exit_status(err: SystemExit) -> int:
    """The interpreter's handling of SystemExit: None is 0, an int is itself, anything else is printed, 1."""
    if err.code is None:
        return 0
    if isinstance(err.code, int):
        return err.code
    print(err.code, file=sys.stderr)
    return 1


def _exit(status: int, preloaded: set) -> None:
    threading._shutdown()  # what Py_FinalizeEx does first: join the non-daemon threads
    atexit._run_exitfuncs()
    if not _flush():
        status = 120
    sys.modules["__main__"].__dict__.clear()
    for name in reversed([m for m in sys.modules if m not in preloaded]):
        del sys.modules[name]
    gc.collect()  # the pod's own objects: files still open are flushed and closed
    if not _flush():
        status = 120
    if status == INTERRUPTED:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        status = 128 + signal.SIGINT
    os._exit(status & 0xFF)


def _flush() -> bool:
    ok = True
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception:  # noqa: BLE001 - the interpreter reports it as exit status 120
            ok = False
    return ok


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
