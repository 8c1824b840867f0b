"""What a model name must be, and which files a new model is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gitops.core import layout

# A DNS-1123 label, short enough that the longest name the base derives from it
# (<model>-workflow-executor-pipeline, 31 more characters) and KServe's
# <model>-predictor Service stay valid object names.
NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MAX_LENGTH = 32
# scikit-learn's bundled classification data sets: no download, so `make demo` runs offline.
DATASETS = ("iris", "wine", "breast_cancer", "digits")


class ScaffoldError(Exception):
    """Refused before anything was written; the message says why and what to do."""


@dataclass(frozen=True)
class NewModel:
    name: str
    dataset: str
    drift_schedule: str

    @property
    def module(self) -> str:
        """The Python module under mlpipeline.models (MODEL_SPEC): a name with dashes is not importable."""
        return self.name.replace("-", "_")

    def files(self) -> dict[Path, str]:
        """Repo-relative path -> role, in the order they are listed to the user."""
        out = {
            layout.MODELS / self.name / layout.KUSTOMIZATION: "declaration: names, registry, experiment, drift",
            Path("src/mlpipeline/models") / f"{self.module}.py": "Python spec: data, features, estimator",
        }
        for env in layout.ORDER:
            out[layout.pin_file(env, self.name)] = f"the model in {env}: its pin"
        return out


def check(repo: Path, model: NewModel) -> None:
    if not NAME.match(model.name) or len(model.name) > MAX_LENGTH:
        raise ScaffoldError(
            f"{model.name!r}: not a model name: it prefixes every object name (fix: lowercase letters, digits "
            f"and dashes, starting with a letter, at most {MAX_LENGTH} characters)"
        )
    if model.dataset not in DATASETS:
        raise ScaffoldError(
            f"--dataset {model.dataset}: not a scikit-learn bundled data set (fix: one of {', '.join(DATASETS)})"
        )
    if len(model.drift_schedule.split()) != 5:
        raise ScaffoldError(
            f"--drift-schedule {model.drift_schedule!r}: not a cron schedule (fix: five fields, e.g. '0 5 * * *', UTC)"
        )
    taken = [str(path) for path in model.files() if (repo / path).exists()]
    if taken:
        raise ScaffoldError(f"{model.name} exists already: {', '.join(taken)} (fix: pick another name)")
