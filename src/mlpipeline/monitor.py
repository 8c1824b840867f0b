"""monitor: push the candidate's validation figures to the Pushgateway.

No output parameters; summary.json records what was pushed.
"""

from __future__ import annotations

import time

from mlpipeline import cli, push, registry, validate
from mlpipeline.config import StepParser, add_push_flags, add_registry_flags
from mlpipeline.errors import PermanentError
from mlpipeline.outputs import write_outputs

STEP = "monitor"


def parser() -> StepParser:
    p = StepParser(STEP, __doc__.splitlines()[0])
    add_registry_flags(p)
    add_push_flags(p)
    p.flag("--model-version", "MODEL_VERSION", help="registry version whose figures to push")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse(argv, required=("--tracking-uri", "--model-name", "--model-version"))
    client = registry.connect(args.tracking_uri)
    mv = registry.model_version(client, args.model_name, args.model_version)
    metrics = client.get_run(mv.run_id).data.metrics
    if validate.ACCURACY not in metrics:
        raise PermanentError(
            f"--model-version {mv.version}", "not validated yet", f"run validate on version {mv.version} first"
        )
    figures = {
        "mlpipeline_validation_accuracy": metrics[validate.ACCURACY],
        "mlpipeline_validation_f1_macro": metrics[validate.F1_MACRO],
        "mlpipeline_validation_passed": metrics[validate.PASSED],
        "mlpipeline_model_version": float(mv.version),
        "mlpipeline_last_success_timestamp_seconds": time.time(),
    }
    pushed = push.push(
        STEP,
        args.pushgateway_url,
        args.model_name,
        args.environment,
        [push.Sample(name, value) for name, value in figures.items()],
        optional=args.push_optional,
    )
    write_outputs(args.outputs_dir, {}, {"pushed": pushed, "metrics": figures})


if __name__ == "__main__":
    cli.main_for(STEP, main)
