"""drift: compare recent inputs with the training split logged with the deployed model.

Outputs: drift_detected (true/false), max_psi; per-feature PSI and KS p-value in summary.json.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from mlpipeline import cli, dataset, push, registry
from mlpipeline.config import ENV_ALIAS, StepParser, add_push_flags, add_registry_flags, fraction, non_negative
from mlpipeline.drift_stats import drifted, feature_drift
from mlpipeline.errors import PermanentError, StepError, UsageError
from mlpipeline.outputs import write_outputs
from mlpipeline.train import REFERENCE_ARTIFACT_DIR, REFERENCE_FILE

STEP = "drift"
log = logging.getLogger(__name__)
READERS = {".csv": "read_csv", ".parquet": "read_parquet", ".pq": "read_parquet"}
# The sink (the InferenceService logger's target, <root>/<model>/<environment>) keeps this file current.
RECENT_INPUTS = "recent-inputs.parquet"


def parser() -> StepParser:
    p = StepParser(STEP, __doc__.splitlines()[0])
    add_registry_flags(p)
    add_push_flags(p)
    p.flag(
        "--input",
        "DRIFT_INPUT_URI",
        help="recent inputs: CSV or Parquet, a path, file://, s3:// or any MLflow artifact URI "
        f"(default: --input-root/<model>/<environment>/{RECENT_INPUTS})",
    )
    p.flag(
        "--input-root",
        "DRIFT_INPUT_ROOT",
        help="where the platform's request-log sink writes, per model and environment",
    )
    p.flag("--model-version", "MODEL_VERSION", help="version whose training split is the reference (default: --alias)")
    p.flag("--alias", "DEPLOYED_ALIAS", help="default: the environment's alias (dev, staging, production)")
    p.flag("--psi-threshold", "PSI_THRESHOLD", type=non_negative, default="0.25")
    p.flag("--ks-pvalue-threshold", "KS_PVALUE_THRESHOLD", type=fraction, default="0.01")
    return p


def read_current(uri: str, scratch: Path):
    import pandas as pd

    parsed = urlparse(uri)
    reader = READERS.get(Path(parsed.path).suffix.lower())
    if reader is None:
        raise PermanentError(f"--input {uri}", "unsupported format", "give a .csv or .parquet file")
    if parsed.scheme in ("", "file"):
        path = Path(parsed.path)
        if not path.is_file():
            raise PermanentError(
                f"--input {uri}", f"no such file: {path}", "set DRIFT_INPUT_URI to where recent inputs are written"
            )
    else:
        import mlflow.artifacts

        try:
            path = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(scratch)))
        except Exception as err:  # every artifact store raises its own type
            raise StepError(
                f"--input {uri}",
                f"could not fetch it ({type(err).__name__})",
                "check DRIFT_INPUT_URI and the storage credentials",
            ) from None
    try:
        return getattr(pd, reader)(path)
    except Exception as err:  # a truncated or mislabelled file: the parser's own error type varies
        raise PermanentError(
            f"--input {uri}", f"unreadable ({type(err).__name__})", "give a valid .csv or .parquet file"
        ) from None


def main(argv: list[str] | None = None) -> None:
    args = parser().parse(argv, required=("--tracking-uri", "--model-name"))
    if not args.input:
        if not args.input_root:
            raise UsageError("--input", "not set", "pass --input or set DRIFT_INPUT_URI, or set DRIFT_INPUT_ROOT")
        args.input = f"{args.input_root.rstrip('/')}/{args.model_name}/{args.environment}/{RECENT_INPUTS}"
    client = registry.connect(args.tracking_uri)
    if args.model_version:
        mv = registry.model_version(client, args.model_name, args.model_version)
    else:
        alias = args.alias or ENV_ALIAS.get(args.environment, "")
        mv = registry.required_alias(client, args.model_name, alias, "--alias")
    label = client.get_run(mv.run_id).data.tags.get("label_column")
    import pandas as pd

    with tempfile.TemporaryDirectory() as scratch:
        ref_path = client.download_artifacts(mv.run_id, f"{REFERENCE_ARTIFACT_DIR}/{REFERENCE_FILE}", scratch)
        reference = pd.read_csv(ref_path).drop(columns=[label], errors="ignore")
        current = read_current(args.input, Path(scratch))
    missing = [c for c in reference.columns if c not in current.columns]
    if missing:
        raise PermanentError(
            f"--input {args.input}",
            f"missing feature column(s) {', '.join(missing)}",
            "write every model input column to the recent-inputs file",
        )
    current = current[list(reference.columns)]
    dataset.check_frame(current, f"--input {args.input}", "drop or repair the bad rows where inputs are collected")

    figures = [feature_drift(c, reference[c].to_numpy(float), current[c].to_numpy(float)) for c in reference.columns]
    detected = any(drifted(f, args.psi_threshold, args.ks_pvalue_threshold) for f in figures)
    max_psi = max(f.psi for f in figures)
    for f in figures:
        log.info("%s: PSI %.4f, KS p-value %.4g", f.feature, f.psi, f.ks_pvalue)
    samples = [push.Sample("mlpipeline_drift_psi", f.psi, {"feature": f.feature}) for f in figures]
    samples += [push.Sample("mlpipeline_drift_ks_pvalue", f.ks_pvalue, {"feature": f.feature}) for f in figures]
    samples += [
        push.Sample("mlpipeline_drift_detected", float(detected)),
        push.Sample("mlpipeline_drift_last_run_timestamp_seconds", time.time()),
    ]
    push.push(STEP, args.pushgateway_url, args.model_name, args.environment, samples, optional=args.push_optional)
    write_outputs(
        args.outputs_dir,
        {"drift_detected": detected, "max_psi": max_psi},
        {
            "model_version": str(mv.version),
            "rows": len(current),
            "features": {f.feature: {"psi": f.psi, "ks_pvalue": f.ks_pvalue} for f in figures},
        },
    )


if __name__ == "__main__":
    cli.main_for(STEP, main)
