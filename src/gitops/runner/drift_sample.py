"""A sample of "recent inputs" for a local drift run: drawn from the model's own data, shifted or not."""

from __future__ import annotations

from pathlib import Path

SHIFT_STDS = 1.5  # far past PSI 0.25 on every feature; a real drift, not noise


def write(path: Path, model_spec: str, shifted: bool, rows: int = 400, seed: int = 7) -> Path:
    from mlpipeline.models import load_spec

    X, _ = load_spec(model_spec).load_dataset()
    sample = X.sample(n=rows, replace=True, random_state=seed)
    if shifted:
        sample = sample + SHIFT_STDS * X.std()
    path.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(path, index=False)
    return path
