"""The entry point every step shares: run, turn StepError into one line and an exit code."""

from __future__ import annotations

import logging
import sys
from typing import Callable

from mlpipeline.errors import EXIT_OK, StepError


def run(step: str, main: Callable[[list[str] | None], None], argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format=f"{step}: %(message)s", stream=sys.stderr)
    # MLflow and its HTTP stack log at INFO on import and on every call; the
    # step's own log lines are what an operator reads in the Argo UI.
    for noisy in ("mlflow", "urllib3", "alembic", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        main(argv)
    except StepError as err:
        print(err.line(step), file=sys.stderr)
        return err.exit_code
    return EXIT_OK


def main_for(step: str, main: Callable[[list[str] | None], None]) -> None:
    sys.exit(run(step, main))
