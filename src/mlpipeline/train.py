"""train: fit the model on the seeded train split, log everything to MLflow, register a version.

Outputs: run_id, model_version.
"""

from __future__ import annotations

import logging
import tempfile
from importlib.metadata import version as installed
from pathlib import Path

from mlpipeline import cli, dataset, push, registry
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
    parts = dataset.split(X, y, args.seed, args.holdout_fraction)
    params = {"n_estimators": args.n_estimators, "max_depth": args.max_depth, "seed": args.seed}
    estimator = spec.build_estimator(params)

    registry.connect(args.tracking_uri)  # before fitting: fail fast when MLflow is down
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    mlflow.set_experiment(args.experiment)
    estimator.fit(parts.X_train, parts.y_train)
    train_accuracy = float(estimator.score(parts.X_train, parts.y_train))

    # Everything is logged inside the run; if any call fails the run ends
    # FAILED and no model version exists, so the registry holds nothing half-done.
    with mlflow.start_run(run_name=f"train-{spec.NAME}") as run:
        mlflow.log_params({**params, "holdout_fraction": args.holdout_fraction, "model_spec": args.model_spec})
        mlflow.set_tags({"holdout_sha256": parts.holdout_digest, "label_column": str(y.name), "step": STEP})
        mlflow.log_metric("train_accuracy", train_accuracy)
        reference = parts.X_train.assign(**{str(y.name): parts.y_train.values})
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / REFERENCE_FILE
            reference.to_csv(path, index=False)
            mlflow.log_artifact(str(path), REFERENCE_ARTIFACT_DIR)
        mlflow.log_input(mlflow.data.from_pandas(reference, name=f"{spec.NAME}-train"), context="training")
        info = mlflow.sklearn.log_model(
            estimator,
            name=MODEL_ARTIFACT,
            serialization_format=SERIALIZATION,
            signature=infer_signature(parts.X_train, estimator.predict(parts.X_train)),
            input_example=parts.X_train.head(3),
            pip_requirements=pip_requirements(),
        )
        registered = mlflow.register_model(info.model_uri, args.model_name, tags={"run_id": run.info.run_id})

    log.info("registered %s version %s from run %s", args.model_name, registered.version, run.info.run_id)
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
        {"run_id": run.info.run_id, "model_version": registered.version},
        {"train_accuracy": train_accuracy, "model_name": args.model_name},
    )


if __name__ == "__main__":
    cli.main_for(STEP, main)
