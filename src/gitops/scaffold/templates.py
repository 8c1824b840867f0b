"""The text of a new model's files: the same shape as iris's and wine's."""

from __future__ import annotations

import json
import re

from gitops.core import layout
from gitops.scaffold.model import NewModel

DECLARATION = """\
# {name}: scikit-learn's bundled {dataset} data and a random forest
# (src/mlpipeline/models/{module}.py). Every name, label and registry entry of
# the model derives from this declaration.
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
namePrefix: {name}-
labels:
- pairs:
    app.kubernetes.io/part-of: {name}
configMapGenerator:
- name: pipeline-config
  behavior: merge
  literals:
  - MODEL_NAME={name}
  - MODEL_SPEC={module}
  - MLFLOW_EXPERIMENT_NAME={name}
  - DRIFT_SCHEDULE={drift_schedule}
"""

FOLDER = """\
# {name} in {env}: {how}.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../../base
components:
- ../../../models/{name}
- ../environment
configMapGenerator:
- name: model-pin
  behavior: merge
  literals:
  - modelName={name}
"""

SPEC = '''\
"""{name}: scikit-learn's bundled {dataset} data and a random forest.

All of the model's own code is here. Written by scripts/new-model; make it
yours: the data, the features, the estimator.
"""

from __future__ import annotations

from typing import Any

NAME = "{name}"
CLASS_NAMES = {class_names}


def load_dataset():
    # scikit-learn's bundled copy: no download, identical on every machine.
    from sklearn.datasets import load_{dataset}

    bunch = load_{dataset}(as_frame=True)
    X = bunch.data.copy()
    # They become the MLflow signature and the V2 request's input names.
    X.columns = {columns}
    return X, bunch.target.rename("label")


def build_estimator(params: dict[str, Any]):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        random_state=params["seed"],
        n_jobs=1,  # the step pod's CPU limit is small; threads would only contend
    )
'''


def _column(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def spec(model: NewModel) -> str:
    # Read once here, so the module holds constants and imports nothing heavy at import time.
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{model.dataset}")(as_frame=True)
    class_names = _literal("(", [str(c) for c in bunch.target_names], ")", indent=0)
    columns = _literal("[", [_column(c) for c in bunch.data.columns], "]", indent=4)
    return SPEC.format(name=model.name, dataset=model.dataset, class_names=class_names, columns=columns)


def _literal(open_: str, items: list[str], close: str, indent: int) -> str:
    """A tuple or list of strings laid out as `ruff format` lays it out, so the new file passes lint."""
    quoted = [json.dumps(item) for item in items]
    one_line = open_ + ", ".join(quoted) + ("," if open_ == "(" and len(items) == 1 else "") + close
    if indent + len("X.columns = ") + len(one_line) <= 120:
        return one_line
    pad = " " * (indent + 4)
    return open_ + "\n" + "".join(f"{pad}{q},\n" for q in quoted) + " " * indent + close


def texts(model: NewModel) -> dict:
    files = list(model.files())
    out = {
        files[0]: DECLARATION.format(
            name=model.name, dataset=model.dataset, module=model.module, drift_schedule=model.drift_schedule
        ),
        files[1]: spec(model),
    }
    for env, path in zip(layout.ORDER, files[2:], strict=True):
        source = layout.ORDER[layout.ORDER.index(env) - 1] if env != "dev" else ""
        how = (
            "the pipeline's deploy step writes the pin below (by pull request)"
            if env == "dev"
            else f"promotion from {source} writes the pin below (scripts/promote {model.name} {source} {env})"
        )
        out[path] = FOLDER.format(name=model.name, env=env, how=how)
    return out
