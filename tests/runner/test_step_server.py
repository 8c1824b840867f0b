"""The step server: a forked pod ends, writes and sees exactly what a plain process would.

tests/fixtures/runner/step-server.yaml runs python pods (-c and -m) through the CLI twice, with
`--step-server off` (a plain process per pod) and `on`, each in its own state directory; the records,
each pod's logs and the files it left must be the same. Differences by design (zygote.py's docstring):
a forked pod starts as if it had imported the step image's libraries, so MLflow's import-time telemetry
file is in its $HOME, scikit-learn's KMP_* variables in its environment and the libraries' warnings
filters installed even when its own program never imports them; forked pods share the server's hash
seed; /proc/<pid>/cmdline shows the server's bootstrap line; the runner stays a child subreaper.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.runner.processes import processes_pids_under, step_server_pid

WORKFLOW = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "step-server.yaml"
ZYGOTE = Path(__file__).resolve().parents[2] / "src" / "gitops" / "runner" / "zygote.py"
SH_ONLY = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "conformance" / "dag-failure-handled"
TIMES = {"startedAt", "finishedAt", "estimatedDuration", "resourcesDuration", "progress"}
RANDOM = {"draw", "seen"}  # a random number; compared on its own below
# What a forked pod has because the server imported the step image's libraries (see the module's doc).
IMPORTED_BY_THE_SERVER_ENV = {"KMP_DUPLICATE_LIB_OK", "KMP_INIT_AT_FORK"}
TELEMETRY = ".config/mlflow/telemetry.json"
PLAIN_IN_BOTH = ("-sets-an-imported-variable", "-passes-a-flag", "-sets-a-numpy-variable")  # refused


def run(repo: Path, state: Path, mode: str, file: Path = WORKFLOW) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "gitops.runner", "--file", str(file), "--state-dir", str(state), "--name", "wf"]
    argv += ["--output", "json", "--step-server", mode]
    env = {**os.environ, "RUNNER_ONLY": "set in the runner's environment, never in a pod's"}
    return subprocess.run(argv, capture_output=True, text=True, cwd=repo, env=env, timeout=300)


@pytest.fixture(scope="module")
def runs(repo, tmp_path_factory):
    root = tmp_path_factory.mktemp("step-server")
    out = {}
    for mode in ("off", "on"):
        proc = run(repo, root / mode, mode)
        assert proc.returncode == 0, proc.stderr[-3000:]
        (run_dir,) = (root / mode / "runs").iterdir()
        out[mode] = (proc, run_dir)
    return out


def normalized(value, run_dir: Path):
    """The record or a file's text with this run's paths and timestamps taken out."""
    if isinstance(value, dict):
        return {k: normalized(v, run_dir) for k, v in value.items() if k not in TIMES}
    if isinstance(value, list):
        return [normalized(v, run_dir) for v in value]
    return value.replace(str(run_dir), "RUN") if isinstance(value, str) else value


def nodes(proc, run_dir: Path) -> dict[str, dict]:
    record = json.loads(proc.stdout)
    out = {}
    for node in record["status"]["nodes"].values():
        params = (node.get("outputs") or {}).get("parameters") or []
        node.get("outputs", {})["parameters"] = [p for p in params if p["name"] not in RANDOM]
        out[node["displayName"]] = normalized(node, run_dir)
    return out


def outputs(run_dir: Path, pod: str) -> Path:
    (found,) = (run_dir / "pods").glob(f"*-{pod}")
    return found / "volumes" / "tmp" / "outputs"


def test_a_forked_pod_ends_as_a_plain_process_would(runs):
    plain, forked = (nodes(*runs[mode]) for mode in ("off", "on"))
    assert forked == plain
    ends = {name: (n["phase"], n.get("message", "")) for name, n in forked.items() if n["type"] == "Pod"}
    assert ends["exits-3"] == ("Failed", "main: Error (exit code 3)")
    assert ends["exits-with-a-message"] == ("Failed", "main: Error (exit code 1)")
    assert ends["raises"] == ("Failed", "main: Error (exit code 1)")
    assert ends["interrupted"] == ("Failed", "main: Error (exit code 130)")
    assert ends["killed"] == ("Failed", "main: Error (exit code 137)")
    assert ends["past-its-deadline"] == ("Failed", "Pod was active on the node longer than the specified deadline")
    exits_late = {p["name"]: p["value"] for p in forked["exits-late"]["outputs"]["parameters"]}
    assert exits_late == {"thread": "joined", "atexit": "ran", "unclosed": "flushed at exit"}


def test_each_pod_leaves_the_same_logs_and_files(runs):
    (_, plain_dir), (_, forked_dir) = runs["off"], runs["on"]

    def files(run_dir: Path) -> dict[str, str]:
        found = {}
        for path in sorted((run_dir / "pods").rglob("*")):
            if path.is_file() and path.name not in RANDOM and not str(path).endswith(TELEMETRY):
                found[str(path.relative_to(run_dir))] = normalized(path.read_text(errors="replace"), run_dir)
        return found

    assert files(forked_dir) == files(plain_dir)
    telemetry = {p.relative_to(d).parts[1] for d in (plain_dir, forked_dir) for p in (d / "pods").rglob(TELEMETRY)}
    plain_telemetry = {p.relative_to(plain_dir).parts[1] for p in (plain_dir / "pods").rglob(TELEMETRY)}
    assert plain_telemetry == {"001-leaves-state", "002-looks-for-it"}  # the pods whose programs import MLflow
    forked_pods = {p.name for p in (forked_dir / "pods").iterdir() if not p.name.endswith(PLAIN_IN_BOTH)}
    assert telemetry - plain_telemetry == forked_pods - plain_telemetry
    traceback = (forked_dir / "pods" / "006-raises" / "stderr.txt").read_text()
    assert traceback.startswith('Traceback (most recent call last):\n  File "<string>", line 3, in <module>\n')


def test_a_pod_does_not_see_what_the_one_before_it_left(runs):
    (_, plain_dir), (_, forked_dir) = runs["off"], runs["on"]
    seen = json.loads((outputs(forked_dir, "looks-for-it") / "seen").read_text())
    pod = forked_dir / "pods" / "002-looks-for-it"
    assert "LEFT_BEHIND" not in seen["environ"]  # set in os.environ by leaves-state
    assert seen["json_module"] is False  # an attribute leaves-state set on the json module
    assert seen["tracking_uri"] == f"sqlite:///{pod}/mlflow.db"  # MLflow's default, not leaves-state's URI
    assert (seen["argv"], seen["path0"], seen["name"], seen["stdin"]) == (["-c", "first", "second"], "", "__main__", "")
    assert (seen["cwd"], seen["home"], seen["tmp"]) == (str(pod), str(pod / "volumes/tmp"), str(pod / "volumes/tmp"))
    assert "RUNNER_ONLY" not in seen["environ"] and "STEP_SETTING" in seen["environ"]
    # Nothing of the server's open (its socket, its log) or blocked; ignored what Python ignores at start.
    assert (seen["fds"], seen["blocked"], seen["ignored"]) == ([0, 1, 2], [], [signal.SIGPIPE, signal.SIGXFSZ])
    ours = os.umask(0)
    os.umask(ours)
    assert seen["umask"] == ours  # the runner's (this test's), as a plain process inherits it
    plain = json.loads((outputs(plain_dir, "looks-for-it") / "seen").read_text())
    seen["environ"] = [k for k in seen["environ"] if k not in IMPORTED_BY_THE_SERVER_ENV]
    assert normalized(seen, forked_dir) == normalized(plain, plain_dir)
    draws = {(outputs(forked_dir, pod) / "draw").read_text() for pod in ("leaves-state", "looks-for-it")}
    assert len(draws) == 2, "two forked pods drew the same number from numpy's global generator"


def test_the_server_forks_what_it_can_and_says_why_not(runs):
    proc, _ = runs["on"]
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("  step server"))
    assert re.search(r"10 pod\(s\) forked from one interpreter .* once \(\d+\.\d s\); plain processes: ", line)
    assert "wf[3].sets-an-imported-variable: the pod sets SKLEARN_ASSUME_FINITE differently" in line
    assert "wf[3].sets-a-numpy-variable: the pod sets NPY_NUM_BUILD_JOBS differently from the server" in line
    assert "passes-a-flag" not in line  # `python -I -c` is no command the server forks: not asked
    assert "step server" not in runs["off"][0].stderr


def test_a_workflow_without_python_pods_starts_no_server(repo, tmp_path):
    proc = run(repo, tmp_path, "on", SH_ONLY / "workflowtemplate.yaml")
    assert "step server" not in proc.stderr


def py_and_sh(groups: list[list[tuple[str, str]]], sleep: str) -> str:
    """A WorkflowTemplate whose steps run, group after group, `py` (a python pod) and `sh` (a sleep) pods."""
    image = "ghcr.io/example-org/pipeline-steps:0.1.0"
    steps = [[{"name": name, "template": template} for name, template in group] for group in groups]
    templates = [
        {"name": "main", "steps": steps},
        {"name": "py", "container": {"image": image, "command": ["python", "-c", "print('ran')"]}},
        {"name": "sh", "container": {"image": image, "command": ["sh", "-c", f"sleep {sleep}"]}},
    ]
    body = {"entrypoint": "main", "templates": templates}
    return json.dumps(
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "t"}, "spec": body}
    )


BESIDE_A_RUNNING_POD = py_and_sh([[("runs-first", "sh"), ("starts-beside-it", "py")]], "0.3")


def test_a_pod_started_beside_a_running_one_does_not_wait_for_the_server(repo, tmp_path):
    """The runner must not sleep past the running pod's end while the server imports: a plain process."""
    workflow = tmp_path / "beside.yaml"
    workflow.write_text(BESIDE_A_RUNNING_POD)
    proc = run(repo, tmp_path / "state", "on", workflow)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["status"]["phase"] == "Succeeded"
    assert "0 pod(s) forked from one interpreter that imported the step image's libraries once" in proc.stderr
    assert "; plain processes: wf[0].starts-beside-it: the server was still importing\n" in proc.stderr


KEEPS_HOME = """
import os
CONFIG = os.path.join(os.environ["HOME"], ".keeps-home")  # bound at import: no pod re-derives it
"""


def test_a_library_that_keeps_home_from_its_import_makes_home_a_variable_no_pod_may_change(tmp_path):
    """The server's fail-safe for a library it does not know: every pod with another $HOME runs plain."""
    (tmp_path / "keeps_home.py").write_text(KEEPS_HOME)
    probe = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('zygote', {str(ZYGOTE)!r})\n"
        "zygote = importlib.util.module_from_spec(spec); spec.loader.exec_module(zygote)\n"
        "zygote.PRELOAD = ('json', 'keeps_home')\n"
        "read, _ = zygote.preload()\n"
        "pod = {'argv': [sys.executable, '-c', 'pass'], 'cwd': '/', 'env': {'HOME': '/elsewhere'}}\n"
        "print(zygote.refusal(pod, {'HOME': '/server'}, read))\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": "/server", "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "by files no pod re-derives from: {'HOME': [" in done.stdout and "keeps_home.py" in done.stdout
    assert done.stdout.splitlines()[-1] == "the pod sets HOME differently from the server, and the imports read them"


SNAPSHOTS_ENVIRON = """
import os
SNAPSHOT = dict(os.environ)  # every variable, kept from the import on
"""
SNAPSHOT_PROBE = """
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location('zygote', sys.argv[1])
zygote = importlib.util.module_from_spec(spec); spec.loader.exec_module(zygote)
zygote.PRELOAD = ('json', 'snapshots_environ')
started = dict(os.environ)
read, _ = zygote.preload()
print('*' in read)
for env in (started, {**started, 'POD_ONLY': 'read by no import by name'}):
    print(repr(zygote.refusal({'argv': [sys.executable, '-c', 'pass'], 'cwd': '/', 'env': env}, started, read)))
"""


def test_a_library_that_keeps_the_whole_environment_makes_every_pod_with_another_one_run_plain(tmp_path):
    """A copy of os.environ made while importing names no variable: any difference may be in it."""
    (tmp_path / "snapshots_environ.py").write_text(SNAPSHOTS_ENVIRON)
    env = {"PATH": os.environ["PATH"], "HOME": "/server", "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SNAPSHOT_PROBE, str(ZYGOTE)], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-3:] == [
        "True",
        "''",  # the server's own environment: forked
        "\"the imports read the whole environment, and the pod's differs from the server's (POD_ONLY)\"",
    ]


THREADS_PROBE = """
import _thread, importlib.util, sys, threading, time
spec = importlib.util.spec_from_file_location('zygote', sys.argv[1])
zygote = importlib.util.module_from_spec(spec); spec.loader.exec_module(zygote)
pod = {'argv': [sys.executable, '-c', 'pass'], 'cwd': '/', 'env': {}}
print(repr(zygote.refusal(pod, {}, set())))
named = _thread.allocate_lock(); named.acquire()
def grpc_like():  # a native library's thread naming itself: threading never sees it
    with open(f'/proc/self/task/{threading.get_native_id()}/comm', 'w') as comm:
        comm.write('grpc_worker')
    named.release(); time.sleep(60)
_thread.start_new_thread(grpc_like, ())
named.acquire()
print(zygote.refusal(pod, {}, set()))
_thread.start_new_thread(time.sleep, (60,))  # one keeping the process's name, and no OpenBLAS loaded
time.sleep(0.2)
print(zygote.refusal(pod, {}, set()))
"""


def test_a_thread_that_is_neither_python_s_nor_a_known_native_one_makes_pods_run_plain():
    """threading.active_count() sees neither: the server counts /proc/self/task against the known ones."""
    done = subprocess.run([sys.executable, "-c", THREADS_PROBE, str(ZYGOTE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    own = Path("/proc/self/comm").read_text().strip()  # this interpreter's name: the probe's too
    assert done.stdout.splitlines() == [
        "''",
        "the server has threads no preloaded library accounts for (grpc_worker); forking now is unsafe",
        f"the server has threads no preloaded library accounts for (grpc_worker, {own}); forking now is unsafe",
    ]


def test_a_bad_gitops_step_server_value_is_one_line_and_exit_2(repo, tmp_path):
    argv = [sys.executable, "-m", "gitops.runner", "--file", str(WORKFLOW), "--state-dir", str(tmp_path)]
    done = subprocess.run(
        argv, capture_output=True, text=True, cwd=repo, env={**os.environ, "GITOPS_STEP_SERVER": "yes"}
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "gitops.runner: error: GITOPS_STEP_SERVER=yes: expected on or off (fix: unset it, or set on or off)"
    )
    assert not (tmp_path / "runs").exists()


@pytest.fixture
def talking_to_a_fake(tmp_path, monkeypatch):
    """A StepServer whose server is this test, speaking the protocol over a socketpair (its process a sleep)."""
    from gitops.runner import step_server

    monkeypatch.setattr(step_server, "READY_TIMEOUT_S", 0.3)
    ours, theirs = socket.socketpair()
    home = tmp_path / "home"
    home.mkdir()
    (home / "step-server.log").write_text("")
    stand_in = subprocess.Popen(["sleep", "60"])
    server = step_server.StepServer(stand_in, ours, {}, home)
    server.keep_log(tmp_path / "step-server.log")
    theirs.sendall(b'{"ready": true, "seconds": 0.5, "environ": {}}\n')
    yield server, theirs
    server.stop()
    theirs.close()


def spawn(server, name: str):
    return server.spawn(name, [sys.executable, "-c", "pass"], {}, "/", Path("/dev/null"), Path("/dev/null"))


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        pytest.param(None, "no answer to first's request within 0.3 s", id="too-late"),
        pytest.param(b"forked it\n", "a bad answer to first's request: 'forked it'", id="a-bad-line"),
        pytest.param(b'["pid", 7]\n', "a bad answer to first's request: '[\"pid\", 7]'", id="not-an-object"),
    ],
)
def test_a_server_that_answers_late_or_badly_is_stopped_and_never_asked_again(talking_to_a_fake, answer, problem):
    """Its late answer would otherwise be read as the next pod's: that pod would run twice, under a wrong pid."""
    server, theirs = talking_to_a_fake
    if answer is not None:
        theirs.sendall(answer)
    assert spawn(server, "first") is None  # runs plain
    assert (server.ready, server.problem) == (False, problem)
    assert server.process.returncode is not None and server.conn.fileno() == -1  # stopped, hung up
    assert not server.home.exists() and server.kept_log.is_file()
    with contextlib.suppress(OSError):
        theirs.sendall(b'{"pid": 12345}\n')  # the late answer: nobody reads it
    assert spawn(server, "second") is None
    assert theirs.recv(65536).startswith(b'{"name": "first"')  # asked once, and never again
    assert theirs.recv(65536) == b""
    assert server.describe() == f"unavailable ({problem}); every pod ran as a plain process"


def test_a_server_that_stops_answering_after_forking_says_so(talking_to_a_fake):
    server, theirs = talking_to_a_fake
    theirs.sendall(b'{"pid": %d}\n' % os.getpid())
    assert spawn(server, "first").pid == os.getpid()
    assert spawn(server, "second") is None
    assert server.describe() == (
        "1 pod(s) forked from one interpreter that imported the step image's libraries once (0.5 s); then it "
        "stopped (no answer to second's request within 0.3 s): every later pod ran as a plain process"
    )


ONE_PYTHON_POD = py_and_sh([[("one", "py")]], "0")
NO_SUBREAPER = (
    "import sys; from gitops.runner import step_server; "
    "step_server._become_subreaper = lambda: 'prctl(PR_SET_CHILD_SUBREAPER) failed: Operation not permitted'; "
    "from gitops.runner.__main__ import main; sys.exit(main(sys.argv[1:]))"
)


def test_a_server_that_cannot_start_is_named_in_the_summary_and_every_pod_runs_plain(repo, tmp_path):
    workflow = tmp_path / "one.yaml"
    workflow.write_text(ONE_PYTHON_POD)
    argv = [sys.executable, "-c", NO_SUBREAPER, "--file", str(workflow), "--state-dir", str(tmp_path / "state")]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=repo, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if ln.strip().startswith("step server"))
    assert line.split(None, 2)[2] == (
        "unavailable (prctl(PR_SET_CHILD_SUBREAPER) failed: Operation not permitted); every pod ran as a plain process"
    )


THEN_WAITS = py_and_sh([[("forked", "py")], [("waits", "sh")]], "60")


def test_a_runner_killed_outright_leaves_no_step_server_home_behind(repo, tmp_path):
    """SIGKILL runs no finally: the server reads the hang-up and removes its own home."""
    workflow = tmp_path / "waits.yaml"
    workflow.write_text(THEN_WAITS)
    (tmp_path / "tmp").mkdir()
    argv = [sys.executable, "-m", "gitops.runner", "--file", str(workflow), "--state-dir", str(tmp_path / "state")]
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    run = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=repo, env=env)
    try:
        for line in run.stdout:
            if "● waits" in line:
                break
        server = step_server_pid(tmp_path / "tmp")
        assert server is not None
        run.kill()
        run.wait()
        deadline = time.monotonic() + 30
        while any((tmp_path / "tmp").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list((tmp_path / "tmp").iterdir()) == []
    finally:
        for pid in processes_pids_under(tmp_path / "state"):  # the orphaned `sleep 60` pod
            os.kill(pid, signal.SIGKILL)


# The real server, importing only json, whose answer for the second pod ("late") never comes once it has forked it.
LATE_SERVER = """
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location('zygote', sys.argv[1])
zygote = importlib.util.module_from_spec(spec); spec.loader.exec_module(zygote)
zygote.PRELOAD, zygote._warm_mlflow = ('json',), lambda: None
send, forked = zygote._send, []
def late(conn, message):
    forked.extend([message['pid']] if 'pid' in message else [])
    if len(forked) == 2:  # the second pod, "late"
        time.sleep(600)
    send(conn, message)
zygote._send = late
sys.exit(zygote.main())
"""
# The runner's side, as local_pod.start does it: a pod the server does not answer for in time runs plain.
GIVES_UP = """
import json, os, socket, subprocess, sys
from pathlib import Path
from gitops.runner import step_server
assert step_server._become_subreaper() == ""
home, ran = Path(sys.argv[1]), Path(sys.argv[2])
ours, theirs = socket.socketpair()
base = {"PATH": os.environ["PATH"], "HOME": str(home), "TMPDIR": str(home)}
process = subprocess.Popen(
    [sys.executable, "-c", sys.argv[3], str(step_server.ZYGOTE), str(theirs.fileno())],
    env=base, cwd=home, pass_fds=(theirs.fileno(),), start_new_session=True,
)
theirs.close()
server = step_server.StepServer(process, ours, base, home)
assert server._await_ready(None)
step_server.READY_TIMEOUT_S = 3.0
def spawn(name, code):
    argv = [sys.executable, "-c", code]
    return server.spawn(name, argv, base, str(home.parent), Path(os.devnull), Path(os.devnull)), argv
running, _ = spawn("running", "import time; time.sleep(60)")
late, argv = spawn("late", f"open({str(ran)!r}, 'a').write('ran\\\\n')")
assert late is None, late
subprocess.run(argv, check=True)  # the plain process instead
after_giving_up = running.poll()
server.stop()
unknown = []
while True:  # what is left: the pod forked for the answer that never came
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    unknown.append(os.waitstatus_to_exitcode(status))
print(json.dumps({"problem": server.problem, "running_after_giving_up": after_giving_up,
                  "running_after_stop": running.returncode, "unknown": unknown}))
"""


def test_a_pod_forked_after_the_runner_stopped_waiting_never_runs_and_stop_ends_the_pods_left(repo, tmp_path):
    """The runner runs that step as a plain process instead: the late pod must not run it a second time."""
    ran = tmp_path / "ran"
    argv = [sys.executable, "-c", GIVES_UP, str(tmp_path / "home"), str(ran), LATE_SERVER]
    (tmp_path / "home").mkdir()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=repo, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ran.read_text() == "ran\n"  # once
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "problem": "no answer to late's request within 3 s",
        "running_after_giving_up": None,  # giving up on the server leaves the operator's pods running
        "running_after_stop": -signal.SIGKILL,  # the run is over: stop() ends them
        "unknown": [127],  # the late pod: forked, told nothing, ended unrun
    }
