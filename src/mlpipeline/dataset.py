"""The seeded train/holdout split every step reproduces, and the checks on the data.

train logs the seed, the holdout fraction and a digest of the holdout rows;
validate and mark_deployed rebuild the split from those and compare the
digest, so "held out" provably means the rows training never saw.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlpipeline.errors import PermanentError

if TYPE_CHECKING:  # pandas costs ~2 s of cold start; only steps that touch data pay it
    import pandas as pd


@dataclass(frozen=True)
class Split:
    X_train: pd.DataFrame
    y_train: pd.Series
    X_holdout: pd.DataFrame
    y_holdout: pd.Series

    @property
    def holdout_digest(self) -> str:
        return frame_digest(self.X_holdout.assign(_label=self.y_holdout.values))


def frame_digest(frame: pd.DataFrame) -> str:
    # CSV text of the rows in order: stable across pandas versions, unlike pickles.
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def check_frame(X: pd.DataFrame, source: str, fix: str) -> None:
    """Empty or NaN data is an input error, not something to fit or score silently."""
    if X.empty:
        raise PermanentError(source, "no rows", fix)
    nan_columns = [str(c) for c in X.columns if X[c].isna().any()]
    if nan_columns:
        raise PermanentError(source, f"NaN values in column(s) {', '.join(nan_columns)}", fix)


def load_checked(spec) -> tuple[pd.DataFrame, pd.Series]:
    X, y = spec.load_dataset()
    source = f"model spec {spec.NAME} dataset"
    fix = f"fix load_dataset() in the {spec.NAME} model module"
    check_frame(X, source, fix)
    if y.isna().any():
        raise PermanentError(source, "NaN labels", fix)
    return X, y


def split(X: pd.DataFrame, y: pd.Series, seed: int, holdout_fraction: float) -> Split:
    from sklearn.model_selection import train_test_split

    X_train, X_holdout, y_train, y_holdout = train_test_split(
        X, y, test_size=holdout_fraction, random_state=seed, stratify=y
    )
    return Split(X_train, y_train, X_holdout, y_holdout)
