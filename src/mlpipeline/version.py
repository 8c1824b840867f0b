"""version: give a validated version its semantic version, tags and the candidate alias; idempotent.

Outputs: semver.
"""

from __future__ import annotations

import logging

from mlpipeline import candidate as candidates
from mlpipeline import cli, registry, upsert, validate
from mlpipeline.config import StepParser, add_registry_flags, non_negative
from mlpipeline.errors import PermanentError
from mlpipeline.outputs import write_outputs
from mlpipeline.semver import SemVer, next_version

STEP = "version"
log = logging.getLogger(__name__)
SEMVER_TAG = "semver"


def parser() -> StepParser:
    p = StepParser(STEP, __doc__.splitlines()[0])
    add_registry_flags(p)
    p.flag("--model-version", "MODEL_VERSION", help="registry version to version (train's output)")
    p.flag("--champion-alias", "CHAMPION_ALIAS", default="dev", help="alias of the version to beat")
    p.flag(
        "--minor-margin",
        "MINOR_MARGIN",
        type=non_negative,
        default="0.01",
        help="accuracy gain over the champion that earns a minor bump",
    )
    p.flag("--candidate-alias", "CANDIDATE_ALIAS", default="candidate", help="alias set on the versioned model")
    return p


def signature(name: str, version: str) -> dict | None:
    from mlflow.models import get_model_info

    sig = get_model_info(f"models:/{name}/{version}").signature
    return sig.to_dict() if sig else None


def last_versioned(client, name: str, exclude: str):
    """Versions that already carry a semver, newest registry version first."""
    found = client.search_model_versions(f"name='{name}'")
    tagged = [mv for mv in found if SEMVER_TAG in mv.tags and str(mv.version) != exclude]
    return sorted(tagged, key=lambda mv: int(mv.version), reverse=True)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse(argv, required=("--tracking-uri", "--model-name", "--model-version"))
    client = registry.connect(args.tracking_uri)
    cand = candidates.load(client, args.model_name, args.model_version)

    if SEMVER_TAG in cand.tags:  # a re-run: the registry already says everything
        log.info("version %s already has semver %s; nothing to change", cand.version, cand.tags[SEMVER_TAG])
        write_outputs(args.outputs_dir, {"semver": cand.tags[SEMVER_TAG]}, {"changed": False})
        return
    passed = cand.metrics.get(validate.PASSED)
    if passed is None:
        raise PermanentError(
            f"--model-version {cand.version}", "not validated yet", f"run validate on version {cand.version} first"
        )
    if passed < 1:
        raise PermanentError(
            f"--model-version {cand.version}",
            "failed validation; only passing versions get a semver",
            "train a better model; the workflow's when: gate skips this step for failed models",
        )

    history = last_versioned(client, args.model_name, cand.version)
    changed = bool(history) and signature(args.model_name, history[0].version) != signature(
        args.model_name, cand.version
    )
    champion_version, champion_acc = validate.champion_accuracy(
        client, args.model_name, args.champion_alias, cand.version
    )
    accuracy = cand.metrics[validate.ACCURACY]
    semver, reason = next_version(
        [SemVer.parse(mv.tags[SEMVER_TAG]) for mv in history], changed, accuracy, champion_acc, args.minor_margin
    )

    tags = {
        "validation_passed": "true",
        "accuracy": repr(accuracy),
        "f1_macro": repr(cand.metrics[validate.F1_MACRO]),
        "champion_version": champion_version or "",
        "semver_reason": reason,
        "run_id": cand.run_id,
    }
    upsert.set_tags(client, args.model_name, cand.version, tags)
    upsert.set_alias(client, args.model_name, args.candidate_alias, cand.version)
    # semver last: it is the "done" marker a re-run checks, so a crash before
    # this line leaves a version that the next run simply finishes.
    upsert.set_tags(client, args.model_name, cand.version, {SEMVER_TAG: str(semver)})
    log.info("version %s is %s (%s)", cand.version, semver, reason)
    write_outputs(args.outputs_dir, {"semver": str(semver)}, {"changed": True, "reason": reason, **tags})


if __name__ == "__main__":
    cli.main_for(STEP, main)
