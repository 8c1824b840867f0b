"""Run one Argo container template as a local process, as its pod would run it.

The container's command runs in the project venv (the step image is built
from this repo). Every emptyDir mount becomes a per-run directory, and any
argument, env value or output path under a mount point is rewritten to it.
ConfigMaps come from the rendered overlay; Secrets, which git never holds,
from a local env file or an empty value that the summary reports.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops.runner.fields import VOLUME_SOURCES, UnsupportedField  # noqa: F401 (raised here)


@dataclass
class Cluster:
    """What a pod could read from the API server: the rendered overlay's ConfigMaps and local secrets."""

    config_maps: dict[str, dict[str, str]]
    secrets: dict[str, dict[str, str]]
    overrides: dict[str, str]  # local stand-ins (tracking URI, Pushgateway, git remote) for keys a container has
    extra: dict[str, str] = field(default_factory=dict)  # set in every container (e.g. no GitHub locally)
    pod_fields: dict[str, str] = field(default_factory=dict)  # fieldRef paths a pod can read: its namespace
    missing_secrets: set[str] = field(default_factory=set)

    def config_map(self, name: str, where: str) -> dict[str, str]:
        if name not in self.config_maps:
            raise UnsupportedField(f"{where}: ConfigMap {name!r} is not in the rendered overlay")
        return self.config_maps[name]

    def secret(self, name: str) -> dict[str, str]:
        return self.secrets.get(name, {})


@dataclass(frozen=True)
class Result:
    exit_code: int
    seconds: float
    log: Path
    outputs: Path


def _env(container: dict[str, Any], cluster: Cluster, where: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for i, source in enumerate(container.get("envFrom") or []):
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            data = cluster.config_map(source["configMapRef"]["name"], f"{where}.envFrom[{i}]")
        elif "secretRef" in source:
            data = cluster.secret(source["secretRef"]["name"])
            if not data:
                cluster.missing_secrets.add(source["secretRef"]["name"])
        else:
            raise UnsupportedField(f"{where}.envFrom[{i}]: only configMapRef and secretRef are supported")
        env.update({prefix + k: v for k, v in data.items()})
    for i, var in enumerate(container.get("env") or []):
        if "value" in var:
            env[var["name"]] = str(var["value"])
            continue
        ref = var.get("valueFrom", {})
        if "configMapKeyRef" in ref:
            key_ref = ref["configMapKeyRef"]
            data = cluster.config_map(key_ref["name"], f"{where}.env[{i}]")
            if key_ref["key"] not in data and not key_ref.get("optional"):
                raise UnsupportedField(
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
        elif "fieldRef" in ref and ref["fieldRef"].get("fieldPath") in cluster.pod_fields:
            env[var["name"]] = cluster.pod_fields[ref["fieldRef"]["fieldPath"]]
        else:
            raise UnsupportedField(
                f"{where}.env[{i}].valueFrom: only configMapKeyRef, secretKeyRef and fieldRef "
                f"({', '.join(sorted(cluster.pod_fields))}) are supported"
            )
    return env


def mounts(template: dict[str, Any], spec_volumes: list[dict[str, Any]], pod_dir: Path, where: str) -> dict[str, Path]:
    """mountPath -> local directory, for every emptyDir the container mounts."""
    volumes = {v["name"]: v for v in [*spec_volumes, *(template.get("volumes") or [])]}
    out = {}
    for i, mount in enumerate(template.get("container", template.get("script", {})).get("volumeMounts") or []):
        volume = volumes.get(mount["name"])
        if volume is None:
            raise UnsupportedField(f"{where}.volumeMounts[{i}]: no volume named {mount['name']!r}")
        kinds = set(volume) - {"name"}
        if not kinds <= VOLUME_SOURCES:
            raise UnsupportedField(
                f"{where}.volumeMounts[{i}]: volume {mount['name']!r} is {', '.join(sorted(kinds))}; "
                "only emptyDir runs locally"
            )
        local = pod_dir / "volumes" / mount["name"]
        local.mkdir(parents=True, exist_ok=True)
        out[mount["mountPath"].rstrip("/")] = local
    return out


def remap(value: str, mapped: dict[str, Path]) -> str:
    for mount_path in sorted(mapped, key=len, reverse=True):
        if value == mount_path or value.startswith(mount_path + "/"):
            return str(mapped[mount_path]) + value[len(mount_path) :]
        if f"={mount_path}/" in value or value.endswith(f"={mount_path}"):
            return value.replace(f"={mount_path}", f"={mapped[mount_path]}", 1)
    return value


_VAR = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion in command and args: known names expand, $$ escapes, the rest stays."""
    return _VAR.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), value)


def run(
    template: dict[str, Any],
    spec_volumes: list[dict[str, Any]],
    cluster: Cluster,
    pod_dir: Path,
    where: str,
    extra_env: dict[str, str] | None = None,
) -> tuple[Result, dict[str, Path]]:
    container = template.get("container") or template.get("script")
    mapped = mounts(template, spec_volumes, pod_dir, where)
    argv = list(container.get("command") or [])
    if not argv:
        raise UnsupportedField(f"{where}.container: no command; the image's entrypoint cannot run locally")
    if "source" in container:  # Argo runs command + [the script file] + args
        script = pod_dir / "script"
        script.write_text(container["source"])
        argv.append(str(script))
    argv += list(container.get("args") or [])
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable  # the venv is the step image's environment
    # The spec's own paths move to the per-run mounts; the local stand-ins are host values and stay as they are.
    env = {k: remap(v, mapped) for k, v in _env(container, cluster, where + ".container").items()}
    env.update({k: v for k, v in cluster.overrides.items() if k in env})
    env.update(cluster.extra)
    env.update(extra_env or {})
    argv = [expand(remap(a, mapped), env) for a in argv]
    tmp = mapped.get("/tmp", pod_dir / "tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    full_env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "TMPDIR": str(tmp),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    log = pod_dir / "log.txt"
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run(
            argv, env=full_env, stdout=out, stderr=subprocess.STDOUT, cwd=container.get("workingDir") or pod_dir
        )
    return Result(proc.returncode, time.perf_counter() - started, log, tmp), mapped
