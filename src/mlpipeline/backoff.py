"""Retry with exponential backoff for the network calls a step cannot do without.

MLflow's own client retries for minutes by
default, which turns "server down" into a hung pod. Steps check reachability
themselves with a short, bounded schedule and then fail with one clear line.
"""

from __future__ import annotations

import os
import time
from typing import Callable, TypeVar

T = TypeVar("T")

# Seconds before the first retry; doubled each time. The environment variable
# exists so tests can exercise the retry path without sleeping for real.
BASE_DELAY = float(os.environ.get("MLPIPELINE_BACKOFF_SECONDS", "1"))
ATTEMPTS = 4


def retry(
    call: Callable[[], T],
    retry_on: tuple[type[BaseException], ...],
    attempts: int = ATTEMPTS,
    base_delay: float | None = None,
) -> T:
    delay = BASE_DELAY if base_delay is None else base_delay
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except retry_on:
            if attempt == attempts:
                raise
            time.sleep(delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
