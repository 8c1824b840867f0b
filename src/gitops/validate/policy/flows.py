"""The connectivity contract (policy/connectivity.yaml) and the rendered objects of an environment.

An environment's NetworkPolicies (its namespace folder) and the pods they
govern (every model's folder) are separate kustomizations; a check about
traffic needs them together, so this gathers every deployable folder of the
environment from the run's renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gitops.core.documents import Document
from gitops.core.kustomize import RenderError
from gitops.validate.policy.context import Overlay

CONTRACT_FILE = "policy/connectivity.yaml"


class ContractError(Exception):
    """The contract is unreadable or an entry is malformed; the message names the entry."""


@dataclass(frozen=True)
class Environment:
    name: str
    folder: str  # repo-relative; every kustomization under it is part of the environment
    namespace: str


@dataclass(frozen=True)
class Side:
    pods: dict | None = None  # a label selector over the environment's pods
    namespace: str = ""  # a pod outside the environment: its namespace...
    labels: dict[str, str] = field(default_factory=dict)  # ...and its labels
    cidr: str = ""  # or a range of addresses
    excepts: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowPort:
    port: int
    protocol: str = "TCP"
    name: str = ""  # the port's name on a pod outside the environment, when a policy names it


@dataclass(frozen=True)
class Flow:
    index: int
    name: str
    source: Side
    destination: Side
    ports: tuple[FlowPort, ...]
    environments: tuple[str, ...] = ()  # empty: every environment

    def applies(self, env: str) -> bool:
        return not self.environments or env in self.environments


@dataclass(frozen=True)
class Contract:
    environments: tuple[Environment, ...]
    flows: tuple[Flow, ...]

    def environment_of(self, source: str) -> Environment | None:
        for env in self.environments:
            if source == env.folder or source.startswith(env.folder.rstrip("/") + "/"):
                return env
        return None


def _side(raw: Any, where: str) -> Side:
    if not isinstance(raw, dict) or not (set(raw) & {"pods", "namespace", "cidr"}):
        raise ContractError(f"{where}: give pods (a label selector), namespace (and labels), or cidr")
    if "pods" in raw and not isinstance(raw["pods"], dict):
        raise ContractError(f"{where}.pods: a label selector, {{}} for every pod")
    return Side(
        pods=raw.get("pods"),
        namespace=str(raw.get("namespace") or ""),
        labels={str(k): str(v) for k, v in (raw.get("labels") or {}).items()},
        cidr=str(raw.get("cidr") or ""),
        excepts=tuple(str(e) for e in raw.get("except") or []),
    )


def _flow(i: int, raw: Any) -> Flow:
    where = f"{CONTRACT_FILE} flows[{i}]"
    if not isinstance(raw, dict) or not raw.get("name") or not raw.get("why"):
        raise ContractError(f"{where}: every flow needs a name and a why")
    ports = []
    for j, port in enumerate(raw.get("ports") or []):
        if not isinstance(port, dict) or not isinstance(port.get("port"), int):
            raise ContractError(f"{where}.ports[{j}]: needs a port number")
        ports.append(FlowPort(port["port"], str(port.get("protocol") or "TCP"), str(port.get("name") or "")))
    if not ports:
        raise ContractError(f"{where}: needs ports")
    envs = tuple(str(e) for e in raw.get("environments") or [])
    return Flow(
        i,
        str(raw["name"]),
        _side(raw.get("from"), f"{where}.from"),
        _side(raw.get("to"), f"{where}.to"),
        tuple(ports),
        envs,
    )


@lru_cache(maxsize=8)
def _load(path: Path, stamp: float) -> Contract:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ContractError(f"{CONTRACT_FILE}: {type(err).__name__}: {err}") from None
    if not isinstance(data, dict):
        raise ContractError(f"{CONTRACT_FILE}: a mapping with environments and flows")
    envs = []
    for i, env in enumerate(data.get("environments") or []):
        if not isinstance(env, dict) or not all(env.get(k) for k in ("name", "folder", "namespace")):
            raise ContractError(f"{CONTRACT_FILE} environments[{i}]: needs name, folder and namespace")
        envs.append(Environment(str(env["name"]), str(env["folder"]), str(env["namespace"])))
    return Contract(tuple(envs), tuple(_flow(i, f) for i, f in enumerate(data.get("flows") or [])))


def contract(root: Path) -> Contract:
    path = root / CONTRACT_FILE
    return _load(path, path.stat().st_mtime if path.is_file() else 0.0)


def environment_docs(overlay: Overlay, env: Environment) -> list[Document]:
    """This overlay's documents plus those of every other deployable kustomization under the environment's folder."""
    docs = list(overlay.docs)
    base = overlay.context.root / env.folder
    if not base.is_dir():
        return docs
    for file in sorted(base.glob("*/kustomization.yaml")):
        source = f"{env.folder.rstrip('/')}/{file.parent.name}"
        if source == overlay.source or _is_component(file):
            continue
        rendered = overlay.context.render(source)
        if isinstance(rendered, RenderError):
            continue  # the render pass reports it
        docs += [Document(source, i, body) for i, body in enumerate(rendered)]
    return docs


def _is_component(file: Path) -> bool:
    try:
        data = yaml.safe_load(file.read_text()) or {}
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and data.get("kind") == "Component"
