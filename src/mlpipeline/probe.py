"""One V2 (Open Inference Protocol) request on holdout rows: latency and accuracy of what is served."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from mlpipeline.errors import StepError
from mlpipeline.readiness import Endpoint

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ProbeResult:
    latency_seconds: float
    accuracy: float
    rows: int


def v2_request(X: pd.DataFrame) -> dict:
    # One named input per column with the pandas content type: what MLServer's
    # MLflow runtime decodes into the DataFrame the model signature expects.
    return {
        "parameters": {"content_type": "pd"},
        "inputs": [
            {"name": str(col), "shape": [len(X)], "datatype": "FP64", "data": X[col].astype(float).tolist()}
            for col in X.columns
        ],
    }


def probe(endpoint: Endpoint, X: pd.DataFrame, y: pd.Series) -> ProbeResult:
    url = f"{endpoint.base_url}/v2/models/{endpoint.model}/infer"
    fix = "check the serving pod's logs; the alias was not moved"
    started = time.perf_counter()
    try:
        response = requests.post(url, json=v2_request(X), timeout=30)
    except requests.RequestException as err:
        raise StepError(f"probe {url}", f"request failed ({type(err).__name__})", fix) from None
    latency = time.perf_counter() - started
    if response.status_code != 200:
        raise StepError(f"probe {url}", f"HTTP {response.status_code}", fix)
    outputs = response.json().get("outputs") or []
    predictions = outputs[0].get("data", []) if outputs else []
    if len(predictions) != len(y):
        raise StepError(f"probe {url}", f"{len(predictions)} predictions for {len(y)} rows", fix)
    correct = sum(int(p) == int(t) for p, t in zip(predictions, y.tolist(), strict=True))
    return ProbeResult(latency, correct / len(y), len(y))
