"""The entry point every step shares: run, turn any failure into one line and an exit code."""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Callable

from mlpipeline import failures
from mlpipeline.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUNTIME, StepError


def run(step: str, main: Callable[[list[str] | None], None], argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format=f"{step}: %(message)s", stream=sys.stderr)
    # MLflow and its HTTP stack log at INFO on import and on every call; the
    # step's own log lines are what an operator reads in the Argo UI.
    for noisy in ("mlflow", "urllib3", "alembic", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # MLflow logs every database error with its SQL and a traceback before raising it; the step's last line
    # names the cause (failures.py), and an unknown one still prints its traceback below.
    logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)
    try:
        main(argv)
    except StepError as err:
        print(err.line(step), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        # Every write a step makes is atomic or last (see the README), so stopping here leaves nothing half-done.
        print(f"{step}: interrupted (SIGINT) before it finished (fix: run the step again)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001 - the last line must name the cause, whatever raised it
        known = failures.explain(err)
        if known is not None:
            print(known.line(step), file=sys.stderr)
            return known.exit_code
        # Not a cause we know: a bug. Where it happened matters more than one line, so the traceback stays.
        traceback.print_exc(file=sys.stderr)
        first = (str(err).strip().splitlines() or [""])[0][:300]
        print(
            f"{step}: {type(err).__name__}: {first} (fix: this is a bug in the step, not in its inputs; "
            "the traceback above shows where)",
            file=sys.stderr,
        )
        return EXIT_RUNTIME
    return EXIT_OK


def main_for(step: str, main: Callable[[list[str] | None], None]) -> None:
    sys.exit(run(step, main))
