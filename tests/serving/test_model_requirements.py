"""A model, saved the way the train step logs it, records exactly the serving image's versions.

MLflow 3.17.2 writes `pip_requirements` as the model's requirements.txt and
the training interpreter as python_env.yaml (mlflow/sklearn/__init__.py,
save_model; mlflow/utils/environment.py).
"""

from __future__ import annotations

import re

import mlflow.sklearn
import yaml
from sklearn.ensemble import RandomForestClassifier

from mlpipeline import train
from tests.serving.dockerfile import DOCKERFILE, lock, normalized


def saved_model(tmp_path):
    estimator = RandomForestClassifier(n_estimators=3, random_state=0).fit([[0, 1], [1, 0]], [0, 1])
    path = tmp_path / "model"
    mlflow.sklearn.save_model(
        estimator, str(path), serialization_format=train.SERIALIZATION, pip_requirements=train.pip_requirements()
    )
    return path


def requirements(path) -> dict[str, str]:
    lines = [ln.strip() for ln in (path / "requirements.txt").read_text().splitlines()]
    pins = [ln.split("==", 1) for ln in lines if ln and not ln.startswith(("-r", "-c", "#"))]
    assert all(len(p) == 2 for p in pins), f"unpinned requirement in {lines}"
    return {normalized(name): version for name, version in pins}


def test_the_model_s_requirements_equal_the_serving_lock(tmp_path):
    recorded = requirements(saved_model(tmp_path))
    serving = lock("serving.lock")
    assert set(recorded) == {"mlflow", "scikit-learn", "numpy", "scipy", "pandas", "cloudpickle"}
    assert {name: (version, serving.get(name)) for name, version in recorded.items()} == {
        name: (version, version) for name, version in recorded.items()
    }


def test_the_model_s_python_is_the_serving_image_s(tmp_path):
    python = yaml.safe_load((saved_model(tmp_path) / "python_env.yaml").read_text())["python"]
    base = re.search(r"^ARG PYTHON_IMAGE=python:(\d+\.\d+)\.", DOCKERFILE, re.M).group(1)
    assert python.rsplit(".", 1)[0] == base
