"""A broken spec for the bad-input tests: a dataset with columns but no rows."""

from __future__ import annotations

from mlpipeline.models.wine import build_estimator  # noqa: F401  (the spec API needs one)

NAME = "no_rows"
CLASS_NAMES = ("a", "b")


def load_dataset():
    import pandas as pd

    return pd.DataFrame({"width": [], "height": []}, dtype=float), pd.Series([], name="label", dtype=int)
