"""A throwaway GitOps repository (real git, with a bare `origin`) holding tiny dev/staging/prod overlays.

Shaped like the real k8s/ tree: a base with a generated ConfigMap the
Deployment mounts, overlays with their own namespace, a model pin and an
`images:` list with comments. Until the real overlays land, this is what
promotion and diff are tested on.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.git import GIT_ENV, git, write

BASE_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
configMapGenerator:
  - name: pipeline-config
    literals:
      - MODEL_NAME=iris
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: iris
spec:
  selector:
    matchLabels:
      app: iris
  template:
    metadata:
      labels:
        app: iris
    spec:
      containers:
        - name: server
          image: ghcr.io/example-org/iris-steps
          envFrom:
            - configMapRef:
                name: pipeline-config
"""

OVERLAY_KUSTOMIZATION = """\
# {env}: {how}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: iris-{env}  # one namespace per environment
resources:
  - ../../base
  - model-pin.yaml
configMapGenerator:
  - name: pipeline-config
    behavior: merge
    literals:
      - ENVIRONMENT={env}
images:
  # The step image; Renovate bumps dev, promotion carries it up.
  - name: ghcr.io/example-org/iris-steps
    newTag: "{tag}"  # keep quoted: a tag is a string
"""

PIN = """\
# Written by the pipeline's deploy step (dev) or by scripts/promote.
apiVersion: v1
kind: ConfigMap
metadata:
  name: model-pin
data:
  modelName: iris
  modelVersion: "{version}"
  semver: {semver}
  storageUri: s3://mlflow/1/models/m-{version}/artifacts
  runId: run{version}
  validationPassed: "{passed}"
  accuracy: "0.97"
  f1Macro: "0.96"
  championVersion: "{champion}"
"""


def pin(version: str, semver: str, passed: str = "true", champion: str = "") -> str:
    return PIN.format(version=version, semver=semver, passed=passed, champion=champion)


def overlay_kustomization(env: str, tag: str) -> str:
    how = "written by the pipeline" if env == "dev" else "promoted by pull request"
    return OVERLAY_KUSTOMIZATION.format(env=env, how=how, tag=tag)


def make_repo(tmp_path: Path) -> Path:
    """main at: dev runs iris v4 on step image 0.1.0; staging and prod run v3 on 0.0.9."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "origin.git")], check=True, env=env)
    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=env)
    write(root, "k8s/base/kustomization.yaml", BASE_KUSTOMIZATION)
    write(root, "k8s/base/deployment.yaml", DEPLOYMENT)
    write(root, "k8s/overlays/dev/kustomization.yaml", overlay_kustomization("dev", "0.1.0"))
    write(root, "k8s/overlays/dev/model-pin.yaml", pin("4", "1.2.0", champion="3"))
    for env_name in ("staging", "prod"):
        write(root, f"k8s/overlays/{env_name}/kustomization.yaml", overlay_kustomization(env_name, "0.0.9"))
        write(root, f"k8s/overlays/{env_name}/model-pin.yaml", pin("3", "1.1.0", champion="2"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial overlays")
    git(root, "remote", "add", "origin", str(tmp_path / "origin.git"))
    git(root, "push", "-q", "-u", "origin", "main")
    return root
