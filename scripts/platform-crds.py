#!/usr/bin/env python3
"""Print the CRDs of every platform chart at the version argocd/apps pins.

CI's kind cluster gets exactly the CRDs Argo CD would install, from one
source of truth (the Applications), so a server-side dry-run of an overlay
fails the way a real sync would. Needs `helm` on PATH.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def charts():
    for path in sorted((ROOT / "argocd/apps").glob("application-*.yaml")):
        app = yaml.safe_load(path.read_text())
        source = app["spec"]["source"]
        if "chart" in source:
            yield app["metadata"]["name"], source["repoURL"], source["chart"], source["targetRevision"]


def crds(name: str, repo: str, chart: str, version: str) -> list[dict]:
    where = ["--repo", repo, chart] if repo.startswith("https://") else [f"oci://{repo}/{chart}"]
    out = subprocess.run(
        ["helm", "template", name, *where, "--version", version, "--include-crds", "--set", "installCRDs=true"],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"platform-crds: {chart} {version}: helm template failed: {out.stderr.strip()}")
    return [d for d in yaml.safe_load_all(out.stdout) if d and d.get("kind") == "CustomResourceDefinition"]


def main() -> int:
    docs = [doc for args in charts() for doc in crds(*args)]
    sys.stdout.write(yaml.safe_dump_all(docs, sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
