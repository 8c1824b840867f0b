"""One pod, as a local process: its environment, its emptyDir mounts, and what its end means in Argo.

The container's command runs in the project venv (the step image is built from
this repo): forked from the step server when it is `python -m/-c` and the server
can run it as a fresh interpreter would (gitops.runner.step_server), otherwise as a
plain process; both are the runner's children, waited on and killed alike.

Every emptyDir mount becomes a per-pod directory and any argument,
env value or output path of the *spec* under a mount point is rewritten to it;
the runner's own host paths (the interpreter, the script file, local stand-ins
for services) are never rewritten, wherever the checkout lives (/tmp included).
ConfigMaps come from the rendered overlay; Secrets, which git never holds, from
a local env file or an empty value that the summary reports.

How a process's end maps to the node Argo would record (operator.go
inferFailedReason and assessNodeStatus, executor.go SaveParameters,
cmd/argoexec/main.go; v4.0.6):

| local outcome | phase | message |
|---|---|---|
| exit 0, every output file read | Succeeded |  |
| exit 0, an output file missing (no default) | Error | wait: Error (exit code 64): open <file>: no such file or ... |
| exit N != 0 (a signal k: 128+k) | Failed | main: Error (exit code N) |
| killed at its template deadline | Failed | Pod was active on the node longer than the specified deadline |
| killed at the workflow deadline | Failed | Step exceeded its deadline |
| killed at a retry's maxDuration | Failed | main: Error (exit code 143) (the executor's SIGTERM) |

<file> is where the wait container reads: /mainctrfs<path> for a path under a
volume mount, /var/run/argo/outputs/parameters<path> otherwise.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops.runner import children
from gitops.runner.errors import RunnerError
from gitops.runner.step_server import ForkedPod, StepServer, host_argv

DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"
KILL_GRACE_S = 5.0  # SIGTERM, then SIGKILL: a short stand-in for terminationGracePeriodSeconds


@dataclass
class Cluster:
    """What a pod could read from the API server: the rendered overlay's ConfigMaps and local secrets."""

    config_maps: dict[str, dict[str, str]]
    secrets: dict[str, dict[str, str]]
    overrides: dict[str, str]  # local stand-ins (tracking URI, Pushgateway, git remote) for keys a container has
    extra: dict[str, str] = field(default_factory=dict)  # set in every container (e.g. no GitHub locally)
    pod_fields: dict[str, str] = field(default_factory=dict)  # fieldRef paths a pod can read (namespace, metadata)
    missing_secrets: set[str] = field(default_factory=set)
    step_server: StepServer | None = None  # forks the step image's pods when it can (else plain processes)

    def config_map(self, name: str, where: str) -> dict[str, str]:
        if name not in self.config_maps:
            raise RunnerError(f"{where}: ConfigMap {name!r} is not in the rendered overlay")
        return self.config_maps[name]

    def secret(self, name: str) -> dict[str, str]:
        return self.secrets.get(name, {})


def environment(container: dict[str, Any], cluster: Cluster, where: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for i, source in enumerate(container.get("envFrom") or []):
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            data = cluster.config_map(source["configMapRef"]["name"], f"{where}.envFrom[{i}]")
        else:
            data = cluster.secret(source["secretRef"]["name"])
            if not data:
                cluster.missing_secrets.add(source["secretRef"]["name"])
        env.update({prefix + k: v for k, v in data.items()})
    for i, var in enumerate(container.get("env") or []):
        if "value" in var or "valueFrom" not in var:
            env[var["name"]] = str(var.get("value", ""))
            continue
        ref = var["valueFrom"]
        if "configMapKeyRef" in ref:
            key_ref = ref["configMapKeyRef"]
            data = cluster.config_map(key_ref["name"], f"{where}.env[{i}]")
            if key_ref["key"] not in data and not key_ref.get("optional"):
                raise RunnerError(
                    f"{where}.env[{i}]: ConfigMap {key_ref['name']!r} has no key {key_ref['key']!r}; "
                    "Kubernetes would not start the pod"
                )
            env[var["name"]] = data.get(key_ref["key"], "")
        elif "secretKeyRef" in ref:
            key_ref = ref["secretKeyRef"]
            value = cluster.secret(key_ref["name"]).get(key_ref["key"])
            if value is None:
                cluster.missing_secrets.add(f"{key_ref['name']}/{key_ref['key']}")
            env[var["name"]] = value or ""
        else:
            path = ref["fieldRef"]["fieldPath"]
            if path in cluster.pod_fields:
                env[var["name"]] = cluster.pod_fields[path]
            elif path.startswith(("metadata.annotations[", "metadata.labels[")):
                # A key the pod lacks reads as empty (kubernetes pkg/fieldpath/fieldpath.go ExtractFieldPathAsString).
                env[var["name"]] = ""
            else:
                raise RunnerError(f"{where}.env[{i}].valueFrom.fieldRef: {path} is not known locally")
    return env


def mounts(container: dict[str, Any], volumes: dict[str, dict[str, Any]], pod_dir: Path) -> dict[str, Path]:
    """mountPath -> local directory, for every emptyDir the container mounts (preflight checked they are)."""
    out = {}
    for mount in container.get("volumeMounts") or []:
        local = pod_dir / "volumes" / mount["name"]
        local.mkdir(parents=True, exist_ok=True)
        out[mount["mountPath"].rstrip("/") or "/"] = local
    return out


def remap(value: str, mapped: dict[str, Path]) -> str:
    """Every pod path under a mount, wherever it appears in the text (`/tmp/x`, `--out=/tmp/x`, `> /tmp/x`
    in a shell line), moved to the local directory behind the mount. A path is a mount path not preceded by
    a path character: `/home/u/tmp/x` is left alone."""
    for mount_path in sorted(mapped, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w./-])" + re.escape(mount_path) + r"(?=/|$|[^\w.-])")
        value = pattern.sub(lambda _m, local=str(mapped[mount_path]): local, value)
    return value


_VAR = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion in command and args: known names expand, $$ escapes, the rest stays."""
    return _VAR.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), value)


@dataclass
class Process:
    """A started pod: its process, where it writes, and when it must be killed."""

    popen: subprocess.Popen | ForkedPod
    pod_dir: Path
    mapped: dict[str, Path]
    started: float
    deadline: float | None  # the pod's activeDeadlineSeconds, as an instant
    execution_deadline: float | None = None  # a retry's maxDuration: the executor kills the main container then
    killed_for: str = ""  # "deadline", "workflow" or "executor" once the runner kills it
    kill_sent: float | None = None
    pidfd: int | None = None  # readable when the process ends: the operator's loop sleeps on it

    def close(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None

    @property
    def stdout(self) -> Path:
        return self.pod_dir / "stdout.txt"

    @property
    def stderr(self) -> Path:
        return self.pod_dir / "stderr.txt"

    def kill(self, reason: str) -> None:
        """SIGTERM the process group (as the kubelet does), SIGKILL later from `poll`."""
        if self.killed_for or self.popen.poll() is not None:
            return
        self.killed_for, self.kill_sent = reason, time.time()
        _signal(self.popen.pid, signal.SIGTERM)

    def poll(self) -> int | None:
        code = self.popen.poll()
        if code is None and self.kill_sent and time.time() - self.kill_sent > KILL_GRACE_S:
            _signal(self.popen.pid, signal.SIGKILL)
        return code


def _signal(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def base_environment(tmp: Path) -> dict[str, str]:
    """What every pod's process has before its container's env: the host PATH, and HOME and TMPDIR in /tmp."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}


def start(
    template: dict[str, Any],
    volumes: dict[str, dict[str, Any]],
    cluster: Cluster,
    pod_dir: Path,
    where: str,
    deadline: float | None = None,
    ready_by: float | None = None,
) -> Process:
    kind = "container" if "container" in template else "script"
    container = template[kind]
    pod_dir.mkdir(parents=True, exist_ok=True)
    mapped = mounts(container, volumes, pod_dir)
    # The spec's own paths move to the per-pod mounts; the local stand-ins are host values and stay as they are.
    env = {k: remap(v, mapped) for k, v in environment(container, cluster, f"{where}.{kind}").items()}
    env.update({k: v for k, v in cluster.overrides.items() if k in env})
    env.update(cluster.extra)
    argv = [
        expand(remap(str(a), mapped), env) for a in [*(container.get("command") or []), *(container.get("args") or [])]
    ]
    if kind == "script":  # executeScript: the source file's path is appended after the args
        script = pod_dir / "script"
        script.write_text(remap(container.get("source", ""), mapped))
        argv.append(str(script))
    argv = host_argv(argv)  # only now: the interpreter's path is the host's, never remapped into the pod's
    tmp = mapped.get("/tmp", pod_dir / "tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    full_env = {**base_environment(tmp), **env}
    workdir = container.get("workingDir")
    cwd = remap(workdir, mapped) if workdir else str(pod_dir)
    stdout, stderr = pod_dir / "stdout.txt", pod_dir / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        server = cluster.step_server
        popen = server.spawn(where, argv, full_env, cwd, stdout, stderr, ready_by) if server else None
        try:
            popen = popen or subprocess.Popen(
                argv,
                env=full_env,
                stdin=subprocess.DEVNULL,  # a container has no stdin unless its spec asks for one
                stdout=out,
                stderr=err,
                cwd=cwd,
                start_new_session=True,
                preexec_fn=children.dies_with_this_process(),  # as a forked pod does (zygote._await_go)
            )
        except OSError as error:
            # The container runtime reports this as the main container's failure to start (exit 127-like);
            # a local run cannot say more truthfully than the OS did.
            raise RunnerError(f"{where}: cannot start {argv[0]!r}: {error.strerror}") from error
    try:
        pidfd: int | None = os.pidfd_open(popen.pid)
    except (AttributeError, OSError):  # an older kernel: the operator polls instead
        pidfd = None
    return Process(popen, pod_dir, mapped, time.time(), deadline, pidfd=pidfd)


@dataclass(frozen=True)
class Outcome:
    phase: str
    message: str
    outputs: dict[str, Any]
    finished: float


def _exit_code(code: int) -> int:
    return 128 - code if code < 0 else code  # a signal k shows as 128+k in a container


def _read(path: str, mapped: dict[str, Path]) -> str:
    """The wait container's read of an output file; OSError carries Go's text for the failure."""
    for mount_path in sorted(mapped, key=len, reverse=True):
        if path == mount_path or path.startswith(mount_path.rstrip("/") + "/"):
            shown, local = "/mainctrfs" + path, str(mapped[mount_path]) + path[len(mount_path.rstrip("/")) :]
            break
    else:
        # Not on a volume: Argo copies it from the image's filesystem, which a local run does not have.
        shown, local = "/var/run/argo/outputs/parameters" + path, None
    if local is None:
        raise OSError(f"open {shown}: no such file or directory")
    try:
        with open(local, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise OSError(f"open {shown}: no such file or directory") from None
    except IsADirectoryError:
        raise OSError(f"read {shown}: is a directory") from None
    except NotADirectoryError:
        raise OSError(f"open {shown}: not a directory") from None
    except PermissionError:
        raise OSError(f"open {shown}: permission denied") from None
    return data.decode("utf-8", errors="replace")


def outcome(process: Process, template: dict[str, Any], include_result: bool) -> Outcome:
    """The node a finished process becomes (see the module's table)."""
    code = _exit_code(process.popen.returncode)
    finished = time.time()
    outputs: dict[str, Any] = {"exitCode": str(code)}
    saved, missing = [], ""
    for param in (template.get("outputs") or {}).get("parameters") or []:
        value_from = param.get("valueFrom") or {}
        if not value_from.get("path"):
            continue
        try:
            value = _read(value_from["path"], process.mapped)
        except OSError as err:
            if "default" not in value_from:
                missing = str(err)
                break  # SaveParameters stops at its first error
            value = str(value_from["default"])
        saved.append({**param, "value": value[:-1] if value.endswith("\n") else value})
    if saved:
        outputs["parameters"] = saved
    if include_result and process.stdout.exists():
        out = process.stdout.read_bytes().decode("utf-8", errors="replace")
        out = out[:-1] if out.endswith("\n") else out
        outputs["result"] = out[-256 * 1024 :]
    if process.killed_for == "deadline":
        return Outcome("Failed", DEADLINE_MESSAGE, outputs, finished)
    if process.killed_for == "workflow":
        return Outcome("Failed", "Step exceeded its deadline", outputs, finished)
    if code != 0:
        return Outcome("Failed", f"main: Error (exit code {code})", outputs, finished)
    if missing:
        return Outcome("Error", f"wait: Error (exit code 64): {missing}", outputs, finished)
    return Outcome("Succeeded", "", outputs, finished)


def run(template: dict[str, Any], volumes: list[dict[str, Any]], cluster: Cluster, pod_dir: Path, where: str):
    """Start and wait: for the PostSync Job, which is a plain Kubernetes pod, not a workflow node."""
    process = start(template, {v["name"]: v for v in volumes}, cluster, pod_dir, where)
    try:
        code = process.popen.wait()
    except BaseException:  # Ctrl-C reaches the runner only: the pod runs in its own session
        process.kill("interrupted")
        try:
            process.popen.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal(process.popen.pid, signal.SIGKILL)
            process.popen.wait()
        raise
    finally:
        process.close()
    return _exit_code(code), time.time() - process.started, process
