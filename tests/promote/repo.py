"""A throwaway GitOps repository (real git, with a bare `origin`) shaped like the real k8s/ tree.

A model-neutral base (a Deployment mounting a generated ConfigMap, the pin
placeholder), two model declarations (iris, wine), each environment's
component (namespace, config, an `images:` list with comments) and its shared
namespace folder, and one folder per model and environment holding the pin.
What promotion, diff and the PR comment are tested on.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.git import GIT_ENV, git, write

MODELS = ("iris", "wine")
ENVIRONMENTS = ("dev", "staging", "prod")

BASE_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - model-pin.yaml
configMapGenerator:
  - name: pipeline-config
    literals:
      - MODEL_NAME=model
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
spec:
  selector:
    matchLabels:
      app: server
  template:
    metadata:
      labels:
        app: server
    spec:
      containers:
        - name: server
          image: ghcr.io/example-org/pipeline-steps
          envFrom:
            - configMapRef:
                name: pipeline-config
"""

PIN_PLACEHOLDER = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: model-pin
data:
  modelName: ""
  modelVersion: ""
"""

DECLARATION = """\
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
namePrefix: {model}-
configMapGenerator:
  - name: pipeline-config
    behavior: merge
    literals:
      - MODEL_NAME={model}
"""

ENVIRONMENT = """\
# {env}: {how}
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
namespace: ml-{env}  # one namespace per environment, shared by its models
configMapGenerator:
  - name: pipeline-config
    behavior: merge
    literals:
      - ENVIRONMENT={env}
images:
  # The step image; Renovate bumps dev, promotion carries it up.
  - name: ghcr.io/example-org/pipeline-steps
    newTag: "{tag}"  # keep quoted: a tag is a string
"""

NAMESPACE = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespace.yaml
"""

FOLDER = """\
# {model} in {env}.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../../base
components:
- ../../../models/{model}
- ../environment
configMapGenerator:
- name: model-pin
  behavior: merge
  literals:
{literals}"""


def storage_uri(model: str, version: str) -> str:
    return f"s3://mlflow/1/models/{model}-{version}/artifacts"


def pin_literals(model: str, version: str, semver: str, passed: str = "true", champion: str = "") -> str:
    values = {
        "modelName": model,
        "modelVersion": version,
        "semver": semver,
        "storageUri": storage_uri(model, version),
        "runId": f"run{version}",
        "validationPassed": passed,
        "accuracy": "0.97",
        "f1Macro": "0.96",
        "championVersion": champion,
    }
    return "".join(f"  - {key}={value}\n" for key, value in values.items())


def folder(env: str, model: str, version: str, semver: str, passed: str = "true", champion: str = "") -> str:
    """A model's folder in an environment, its pin as the pipeline or promotion writes it."""
    return FOLDER.format(env=env, model=model, literals=pin_literals(model, version, semver, passed, champion))


def environment(env: str, tag: str) -> str:
    how = "the pipeline deploys here" if env == "dev" else "promoted by pull request"
    return ENVIRONMENT.format(env=env, how=how, tag=tag)


def make_repo(tmp_path: Path) -> Path:
    """main at: dev runs iris v4 and wine v2 on step image 0.1.0; staging and prod run iris v3 and wine v1
    on 0.0.9."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "origin.git")], check=True, env=env)
    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=env)
    write(root, "k8s/base/kustomization.yaml", BASE_KUSTOMIZATION)
    write(root, "k8s/base/deployment.yaml", DEPLOYMENT)
    write(root, "k8s/base/model-pin.yaml", PIN_PLACEHOLDER)
    for model in MODELS:
        write(root, f"k8s/models/{model}/kustomization.yaml", DECLARATION.format(model=model))
    for env_name in ENVIRONMENTS:
        dev = env_name == "dev"
        write(
            root,
            f"k8s/overlays/{env_name}/environment/kustomization.yaml",
            environment(env_name, "0.1.0" if dev else "0.0.9"),
        )
        write(root, f"k8s/overlays/{env_name}/namespace/kustomization.yaml", NAMESPACE)
        write(
            root,
            f"k8s/overlays/{env_name}/namespace/namespace.yaml",
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml-{env_name}\n",
        )
        versions = {
            "iris": ("4", "1.2.0", "3") if dev else ("3", "1.1.0", "2"),
            "wine": ("2", "1.1.0", "1") if dev else ("1", "1.0.0", ""),
        }
        for model, (version, semver, champion) in versions.items():
            write(
                root,
                f"k8s/overlays/{env_name}/{model}/kustomization.yaml",
                folder(env_name, model, version, semver, champion=champion),
            )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial overlays")
    git(root, "remote", "add", "origin", str(tmp_path / "origin.git"))
    git(root, "push", "-q", "-u", "origin", "main")
    return root
