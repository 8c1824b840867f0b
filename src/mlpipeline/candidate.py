"""A registered version together with the run that trained it and the split it was trained on."""

from __future__ import annotations

from dataclasses import dataclass

from mlpipeline import dataset, registry
from mlpipeline.errors import PermanentError
from mlpipeline.models import load_spec


@dataclass(frozen=True)
class Candidate:
    name: str
    version: str
    run_id: str
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]


def load(client, name: str, version: str) -> Candidate:
    mv = registry.model_version(client, name, version)
    run = client.get_run(mv.run_id)
    return Candidate(name, str(mv.version), mv.run_id, dict(run.data.params), dict(run.data.metrics), dict(mv.tags))


def rebuild_split(candidate: Candidate, run_tags: dict[str, str]):
    """The exact split train used, checked against the digest train logged."""
    spec = load_spec(candidate.params["model_spec"])
    X, y = dataset.load_checked(spec)
    parts = dataset.split(X, y, int(candidate.params["seed"]), float(candidate.params["holdout_fraction"]))
    if parts.holdout_digest != run_tags.get("holdout_sha256"):
        raise PermanentError(
            f"run {candidate.run_id}",
            "holdout rows differ from the ones train held out",
            f"the {spec.NAME} dataset changed since training; train a new version",
        )
    return spec, parts
