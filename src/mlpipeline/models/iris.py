"""Iris: the sample model. All Iris-specific code is here; the steps only use the spec API."""

from __future__ import annotations

from typing import Any

NAME = "iris"
CLASS_NAMES = ("setosa", "versicolor", "virginica")
# Column names without spaces or units: they become the MLflow signature and
# the V2 inference request's input names.
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


def load_dataset():
    # scikit-learn's bundled copy: no download, identical on every machine.
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    X = bunch.data.copy()
    X.columns = list(FEATURES)
    return X, bunch.target.rename("species")


def build_estimator(params: dict[str, Any]):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        random_state=params["seed"],
        n_jobs=1,  # the step pod's CPU limit is small; threads would only contend
    )
