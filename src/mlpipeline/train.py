"""train: fit the model on the seeded train split, log everything to MLflow, register a version.

Outputs: run_id, model_version.
"""

from __future__ import annotations

import logging
import tempfile
from importlib.metadata import version as installed
from pathlib import Path

from mlpipeline import cli, contentkey, dataset, failures, push, registry
from mlpipeline.config import StepParser, add_push_flags, add_registry_flags, open_fraction, positive_int
from mlpipeline.models import load_spec
from mlpipeline.outputs import write_outputs

STEP = "train"
log = logging.getLogger(__name__)

# Where the training split goes in the run: drift reads it back as its reference.
REFERENCE_ARTIFACT_DIR = "drift_reference"
REFERENCE_FILE = "train.csv"
MODEL_ARTIFACT = "model"
# pickle, not MLflow 3's default skops: skops refuses RandomForest's tree type
# (sklearn.tree._tree.Tree) unless it is listed as trusted when logging, and
# MLServer's MLflow runtime (what KServe serves with) loads through
# mlflow.pyfunc, which older serving images cannot do for skops at all.
# Pickle is acceptable here because only this pipeline writes to the registry.
SERIALIZATION = "pickle"


def parser() -> StepParser:
    p = StepParser(STEP, __doc__.splitlines()[0])
    add_registry_flags(p)
    add_push_flags(p)
    p.flag("--experiment", "MLFLOW_EXPERIMENT_NAME", help="MLflow experiment")
    p.flag("--n-estimators", "N_ESTIMATORS", type=positive_int, default="100", help="trees in the forest")
    p.flag("--max-depth", "MAX_DEPTH", type=positive_int, default=None, help="tree depth limit (unset: none)")
    p.flag("--seed", "RANDOM_SEED", type=int, default="42", help="seed for the split and the estimator")
    p.flag(
        "--holdout-fraction",
        "HOLDOUT_FRACTION",
        type=open_fraction,
        default="0.2",
        help="share of rows held out for validate",
    )
    return p


def pip_requirements() -> list[str]:
    # Explicit and exact: the serving runtime installs nothing, but the pins
    # record what the pickle needs, and MLflow's inference would pull in more.
    return [
        f"{dist}=={installed(dist)}" for dist in ("mlflow", "scikit-learn", "numpy", "scipy", "pandas", "cloudpickle")
    ]


def main(argv: list[str] | None = None) -> None:
    args = parser().parse(argv, required=("--tracking-uri", "--model-name", "--experiment"))
    spec = load_spec(args.model_spec)
    X, y = dataset.load_checked(spec)
    params = {"n_estimators": args.n_estimators, "max_depth": args.max_depth, "seed": args.seed}
    key = contentkey.compute(
        X, y, {**params, "holdout_fraction": args.holdout_fraction, "model_spec": args.model_spec}, spec
    )
    client = registry.connect(args.tracking_uri)  # before fitting: fail fast when MLflow is down
    same = contentkey.versions_with(client, args.model_name, key.digest)
    if same:  # training again would make the same model: say so and hand on the version that has it
        mv = same[-1]
        _reuse(args, mv, key, f"version {mv.version} already holds this content", "nothing trained or registered")
        return

    parts = dataset.split(X, y, args.seed, args.holdout_fraction)
    estimator = spec.build_estimator(params)
    import mlflow

    mlflow.set_experiment(args.experiment)
    estimator.fit(parts.X_train, parts.y_train)
    train_accuracy = float(estimator.score(parts.X_train, parts.y_train))
    run_id, version = _log_and_register(args, spec, params, key, parts, y, estimator, train_accuracy)

    # Two runs with the same inputs at once both miss the lookup above and both register: the first
    # version keeps the content, a later twin is deleted, so the registry never holds the same model twice.
    first = contentkey.versions_with(client, args.model_name, key.digest)[0]
    if str(first.version) != version:
        client.delete_model_version(args.model_name, version)
        client.set_tag(run_id, "duplicate_of", f"{args.model_name} version {first.version}")
        _reuse(
            args,
            first,
            key,
            f"a run at the same time registered this content as version {first.version}",
            f"this run's version {version} was deleted",
        )
        return

    log.info("registered %s version %s from run %s", args.model_name, version, run_id)
    push.push(
        STEP,
        args.pushgateway_url,
        args.model_name,
        args.environment,
        [push.Sample("mlpipeline_train_accuracy", train_accuracy)],
        optional=True,
    )
    write_outputs(
        args.outputs_dir,
        {"run_id": run_id, "model_version": version},
        {"train_accuracy": train_accuracy, "model_name": args.model_name, "reused": False, **key.tags()},
    )


def _log_and_register(args, spec, params, key, parts, y, estimator, train_accuracy) -> tuple[str, str]:
    """Log everything in one run, then register the version: a failure anywhere registers nothing.

    The run is ended by hand, not by `with`: when the server is gone, ending the run fails too, and that
    second failure must not hide the first.
    """
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    run_id = mlflow.start_run(run_name=f"train-{spec.NAME}").info.run_id
    try:
        mlflow.log_params({**params, "holdout_fraction": args.holdout_fraction, "model_spec": args.model_spec})
        mlflow.set_tags(
            {"holdout_sha256": parts.holdout_digest, "label_column": str(y.name), "step": STEP, **key.tags()}
        )
        mlflow.log_metric("train_accuracy", train_accuracy)
        reference = parts.X_train.assign(**{str(y.name): parts.y_train.values})
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / REFERENCE_FILE
            reference.to_csv(path, index=False)
            mlflow.log_artifact(str(path), REFERENCE_ARTIFACT_DIR)
        _log_training_input(mlflow.data.from_pandas(reference, name=f"{spec.NAME}-train"))
        info = mlflow.sklearn.log_model(
            estimator,
            name=MODEL_ARTIFACT,
            serialization_format=SERIALIZATION,
            signature=infer_signature(parts.X_train, estimator.predict(parts.X_train)),
            input_example=parts.X_train.head(3),
            pip_requirements=pip_requirements(),
        )
        # The key goes on the version in the same request that creates it: a version never lacks it.
        registered = mlflow.register_model(info.model_uri, args.model_name, tags={"run_id": run_id, **key.tags()})
    except BaseException as err:
        _end_run_quietly("FAILED")
        known = failures.explain(err) if isinstance(err, Exception) else None
        if known is None:
            raise
        raise type(known)(
            known.input,
            f"run {run_id}: {known.what}; no model version was registered",
            f"{known.fix}; the next run trains again",
        ) from None
    _end_run_quietly("FINISHED")
    return run_id, str(registered.version)


def _log_training_input(dataset) -> None:
    """Record the training split as the run's input. The server gets-or-creates the dataset row in two
    statements: a run with the same data logging it at the same moment makes the second insert fail on the
    unique key. The row is there by then, so one more try links it."""
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        mlflow.log_input(dataset, context="training")
    except MlflowException as err:
        text = str(err)  # SQLite and PostgreSQL word the unique-key failure differently
        if "datasets" not in text or not ("UNIQUE constraint" in text or "duplicate key" in text):
            raise
        log.info("the training split was being recorded by another run at the same moment; linking it")
        mlflow.log_input(dataset, context="training")


def _end_run_quietly(status: str) -> None:
    """End the active run; a registry that is gone cannot record it, and the version is what counts."""
    import mlflow

    try:
        mlflow.end_run(status)
    except Exception as err:  # noqa: BLE001 - the run stays RUNNING in the registry; say so, go on
        log.warning("could not mark the run %s (%s)", status, type(err).__name__)


def _reuse(args, mv, key: contentkey.ContentKey, found: str, so: str) -> None:
    log.info(
        "%s (same data, parameters, code and libraries; content key %s): reusing it; %s",
        found,
        key.digest[:12],
        so,
    )
    write_outputs(
        args.outputs_dir,
        {"run_id": mv.run_id, "model_version": str(mv.version)},
        {"model_name": args.model_name, "reused": True, **key.tags()},
    )


if __name__ == "__main__":
    cli.main_for(STEP, main)
