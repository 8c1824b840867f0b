"""A second model, added with this one module and configuration (MODEL_SPEC, MODEL_NAME)."""

from __future__ import annotations

NAME = "wine"
CLASS_NAMES = ("class_0", "class_1", "class_2")


def load_dataset():
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    X = bunch.data.copy()
    # Signature and V2 input names: no slashes.
    X.columns = [c.replace("/", "_") for c in X.columns]
    return X, bunch.target.rename("cultivar")


def build_estimator(params):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=params["n_estimators"], max_depth=params["max_depth"], random_state=params["seed"], n_jobs=1
    )
