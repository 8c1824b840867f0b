"""A broken spec for the bad-input tests: a feature column with a missing value."""

from __future__ import annotations

from mlpipeline.models.wine import build_estimator  # noqa: F401  (the spec API needs one)

NAME = "nan_rows"
CLASS_NAMES = ("a", "b")


def load_dataset():
    import pandas as pd

    X = pd.DataFrame({"width": [1.0, None, 3.0, 4.0], "height": [1.0, 2.0, 3.0, 4.0]})
    return X, pd.Series([0, 1, 0, 1], name="label")
