"""mark_deployed (the PostSync Job): when the pinned model is served and answers right, move the environment's alias.

Outputs: alias_moved (true/false; false when the alias already pointed there).
"""

from __future__ import annotations

import logging

from mlpipeline import audit, cli, push, registry, upsert
from mlpipeline import candidate as candidates
from mlpipeline.config import ENV_ALIAS, StepParser, add_push_flags, add_registry_flags, fraction
from mlpipeline.errors import PermanentError, StepError
from mlpipeline.outputs import write_outputs
from mlpipeline.probe import probe
from mlpipeline.readiness import Kubernetes, LocalServer, Readiness, wait

STEP = "mark_deployed"
log = logging.getLogger(__name__)


def parser() -> StepParser:
    p = StepParser(STEP, __doc__.splitlines()[0])
    add_registry_flags(p)
    add_push_flags(p)
    p.flag("--model-version", "MODEL_VERSION", help="the pin's modelVersion")
    p.flag("--storage-uri", "STORAGE_URI", help="the pin's storageUri")
    p.flag("--alias", "DEPLOYED_ALIAS", help="alias to move (default: dev, staging or production by --environment)")
    p.flag("--readiness", "READINESS", default="kubernetes", choices=("kubernetes", "local"))
    p.flag("--inference-service", "INFERENCE_SERVICE", help="InferenceService name (default: --model-name)")
    p.flag("--namespace", "POD_NAMESPACE", help="default: the pod's own namespace")
    p.flag("--server-url", "MODEL_SERVER_URL", help="local: V2 server base URL")
    p.flag("--served-model-name", "SERVED_MODEL_NAME", help="local: model name on that server (default: --model-name)")
    p.flag("--served-uri", "SERVED_STORAGE_URI", help="local: the URI the server was started with")
    p.flag("--ready-timeout", "READY_TIMEOUT", type=float, default="600", help="seconds to wait for Ready")
    audit.add_flags(p)
    p.flag(
        "--accuracy-floor",
        "ACCURACY_FLOOR",
        type=fraction,
        default="0.9",
        help="served accuracy on holdout rows below this blocks the alias move",
    )
    return p


def readiness_for(args) -> Readiness:
    if args.readiness == "local":
        if not args.server_url:
            raise StepError(
                "--server-url", "not set", "pass --server-url or set MODEL_SERVER_URL with --readiness local"
            )
        return LocalServer(args.server_url, args.served_model_name or args.model_name, args.served_uri)
    return Kubernetes.in_cluster(args.inference_service or args.model_name, args.namespace)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse(argv, required=("--tracking-uri", "--model-name", "--model-version", "--storage-uri"))
    alias = args.alias or ENV_ALIAS.get(args.environment)
    if not alias:
        raise PermanentError(f"--environment {args.environment}", "no alias for this environment", "pass --alias")
    client = registry.connect(args.tracking_uri)
    cand = candidates.load(client, args.model_name, args.model_version)
    registered_uri = client.get_model_version_download_uri(args.model_name, cand.version)
    if registered_uri.rstrip("/") != args.storage_uri.rstrip("/"):
        raise PermanentError(
            f"--storage-uri {args.storage_uri}",
            f"registry has {registered_uri} for version {cand.version}",
            "regenerate the pin with the deploy step; the alias was not moved",
        )
    _, parts = candidates.rebuild_split(cand, dict(client.get_run(cand.run_id).data.tags))

    endpoint = wait(readiness_for(args), args.storage_uri, args.ready_timeout)
    result = probe(endpoint, parts.X_holdout, parts.y_holdout)
    log.info("probe: %d rows, accuracy %.4f, %.3fs", result.rows, result.accuracy, result.latency_seconds)
    # Pushed before the floor decides anything, so a served model below the
    # floor is what ModelAccuracyBelowFloor sees (it compares these two).
    measured = [
        push.Sample("mlpipeline_deployed_probe_latency_seconds", result.latency_seconds),
        push.Sample("mlpipeline_deployed_probe_accuracy", result.accuracy),
        push.Sample("mlpipeline_deployed_probe_accuracy_floor", args.accuracy_floor),
    ]
    current = registry.alias_version(client, args.model_name, alias)
    aliased = [push.Sample("mlpipeline_deployed_model_version", float(current.version))] if current else []
    push.push(STEP, args.pushgateway_url, args.model_name, args.environment, measured + aliased, args.push_optional)
    if result.accuracy < args.accuracy_floor:
        raise StepError(
            f"probe {endpoint.base_url}",
            f"served accuracy {result.accuracy:.4f} below floor {args.accuracy_floor}",
            "check which model the server loaded; the alias was not moved",
        )

    audit.record_deployment(client, args, alias, cand.version, result)  # before the alias: its evidence
    moved = current is None or str(current.version) != cand.version
    if moved:
        upsert.set_alias(client, args.model_name, alias, cand.version)
        log.info("alias %s -> version %s", alias, cand.version)
        moved_to = push.Sample("mlpipeline_deployed_model_version", float(cand.version))
        push.push(
            STEP, args.pushgateway_url, args.model_name, args.environment, [*measured, moved_to], args.push_optional
        )
    else:
        log.info("alias %s already at version %s", alias, cand.version)
    write_outputs(
        args.outputs_dir,
        {"alias_moved": moved},
        {
            "model_name": args.model_name,
            "alias": alias,
            "model_version": cand.version,
            "probe_accuracy": result.accuracy,
            "probe_latency_seconds": result.latency_seconds,
        },
    )


if __name__ == "__main__":
    cli.main_for(STEP, main)
