"""Wine: scikit-learn's bundled wine data (three cultivars) and a random forest. All wine-specific code is here."""

from __future__ import annotations

from typing import Any

NAME = "wine"
CLASS_NAMES = ("class_0", "class_1", "class_2")


def load_dataset():
    # scikit-learn's bundled copy: no download, identical on every machine.
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    X = bunch.data.copy()
    # They become the MLflow signature and the V2 request's input names: no slashes.
    X.columns = [c.replace("/", "_") for c in X.columns]
    return X, bunch.target.rename("cultivar")


def build_estimator(params: dict[str, Any]):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        random_state=params["seed"],
        n_jobs=1,  # the step pod's CPU limit is small; threads would only contend
    )
