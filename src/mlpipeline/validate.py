"""validate: score the candidate on the holdout only and gate it; a failed gate is a verdict, not an error.

Outputs: passed (true/false), accuracy, champion_version (empty when none).
"""

from __future__ import annotations

import logging

from mlpipeline import candidate as candidates
from mlpipeline import cli, registry, verdict
from mlpipeline.config import StepParser, add_registry_flags, fraction, non_negative
from mlpipeline.errors import PermanentError
from mlpipeline.evaluation import confusion_figure, evaluate
from mlpipeline.gates import Thresholds, failures
from mlpipeline.outputs import write_outputs

STEP = "validate"
log = logging.getLogger(__name__)
# Metric keys on the candidate's run; version, monitor and the next validate read them.
ACCURACY = "holdout_accuracy"
F1_MACRO = "holdout_f1_macro"
PASSED = "validation_passed"


def parser() -> StepParser:
    p = StepParser(STEP, __doc__.splitlines()[0])
    add_registry_flags(p)
    p.flag("--model-version", "MODEL_VERSION", help="registry version to validate (train's output)")
    p.flag("--champion-alias", "CHAMPION_ALIAS", default="dev", help="alias of the version to beat")
    p.flag("--accuracy-floor", "ACCURACY_FLOOR", type=fraction, default="0.9")
    p.flag("--f1-floor", "F1_FLOOR", type=fraction, default="0.85", help="minimum F1 of every class")
    p.flag(
        "--champion-tolerance",
        "CHAMPION_TOLERANCE",
        type=non_negative,
        default="0.02",
        help="how much worse than the champion's accuracy still passes",
    )
    return p


def champion_accuracy(client, name: str, alias: str, candidate_version: str):
    champion = registry.alias_version(client, name, alias)
    if champion is None or str(champion.version) == candidate_version:
        return None, None
    accuracy = registry.run_metric(client, champion.run_id, ACCURACY)
    if accuracy is None:
        raise PermanentError(
            f"--champion-alias {alias}",
            f"champion version {champion.version} has no {ACCURACY} metric",
            f"run validate on version {champion.version} first",
        )
    # The champion was scored on the same seeded holdout, so the figures compare.
    return str(champion.version), accuracy


def _metric(key: str, value: float):
    import time

    from mlflow.entities import Metric

    return Metric(key, value, int(time.time() * 1000), 0)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse(argv, required=("--tracking-uri", "--model-name", "--model-version"))
    client = registry.connect(args.tracking_uri)
    cand = candidates.load(client, args.model_name, args.model_version)
    spec, parts = candidates.rebuild_split(cand, dict(client.get_run(cand.run_id).data.tags))
    champion_version, champion_acc = champion_accuracy(client, args.model_name, args.champion_alias, cand.version)

    import mlflow
    import mlflow.sklearn

    model = mlflow.sklearn.load_model(f"models:/{args.model_name}/{cand.version}")
    report = evaluate(parts.y_holdout, model.predict(parts.X_holdout), tuple(spec.CLASS_NAMES))
    thresholds = Thresholds(args.accuracy_floor, args.f1_floor, args.champion_tolerance)
    missed = failures(report, thresholds, champion_acc)
    passed = not missed
    for reason in missed:
        log.info("gate missed: %s", reason)

    figures = {
        ACCURACY: report.accuracy,
        F1_MACRO: report.f1_macro,
        PASSED: float(passed),
        **{f"holdout_f1_{k}": v for k, v in report.f1_per_class.items()},
    }
    # The candidate's run holds the latest figures (version, monitor and the next validate read them there).
    client.log_batch(cand.run_id, metrics=[_metric(k, v) for k, v in figures.items()])
    # Each validation is its own run under the training run, with the thresholds it was judged by as
    # params: a reused version is validated again, and params, unlike metrics, are written once per run.
    experiment = client.get_run(cand.run_id).info.experiment_id
    name = f"validate-{spec.NAME}-v{cand.version}"
    with mlflow.start_run(run_name=name, experiment_id=experiment, parent_run_id=cand.run_id) as run:
        mlflow.log_params(
            {
                "accuracy_floor": thresholds.accuracy_floor,
                "f1_floor": thresholds.f1_floor,
                "champion_tolerance": thresholds.champion_tolerance,
                "champion_alias": args.champion_alias,
                "champion_version": champion_version or "none",
                "model_version": cand.version,
            }
        )
        mlflow.log_metrics(figures)
        mlflow.set_tags({"step": STEP, "validation.passed": str(passed).lower()})
        mlflow.log_dict(
            {
                **report.as_dict(),
                "passed": passed,
                "gates_missed": missed,
                "champion_version": champion_version,
                "champion_accuracy": champion_acc,
            },
            "validation/report.json",
        )
        mlflow.log_figure(confusion_figure(report), "validation/confusion_matrix.png")
    verdict.record(client, args.model_name, cand.version, passed, missed, run.info.run_id)

    log.info("version %s: accuracy %.4f, passed=%s", cand.version, report.accuracy, passed)
    write_outputs(
        args.outputs_dir,
        {"passed": passed, "accuracy": report.accuracy, "champion_version": champion_version or ""},
        {"f1_macro": report.f1_macro, "gates_missed": missed, "model_version": cand.version},
    )


if __name__ == "__main__":
    cli.main_for(STEP, main)
