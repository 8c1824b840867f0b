"""metric-emitted on a throwaway steps package: a listed step metric must appear in that step's code."""

from __future__ import annotations

from pathlib import Path

from gitops.validate import policy
from gitops.validate.policy.context import Context
from gitops.validate.policy.platform import PlatformObjects
from mlpipeline.metric_names import Metric

METRICS = (
    Metric("mlpipeline_train_accuracy", "gauge", "train", "Training accuracy."),
    Metric("mlpipeline_validation_passed", "gauge", "monitor", "Gate verdict."),
    Metric("mlpipeline_model_version", "gauge", "monitor", "Registry version."),
    Metric("mlpipeline_drift_psi", "gauge", "drift", "PSI."),
    Metric("mlpipeline_deployed_probe_accuracy", "gauge", "mark_deployed", "Probe accuracy."),
    Metric("push_time_seconds", "gauge", "platform:pushgateway", "The platform's: never searched."),
)


def steps_package(root: Path) -> Path:
    """train names its metric; monitor via a module it imports; mark_deployed via a constant; drift is missing."""
    pkg = root / "src" / "mlpipeline"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "metric_names.py").write_text(
        'NAMES = ["mlpipeline_model_version", "mlpipeline_drift_psi"]\n'
        'PROBE_ACCURACY = Metric("mlpipeline_deployed_probe_accuracy", "gauge", "mark_deployed", "x")\n'
    )
    (pkg / "mark_deployed.py").write_text(
        "from mlpipeline import metric_names\npush(metric_names.PROBE_ACCURACY, 1.0)\n"
    )
    (pkg / "train.py").write_text(
        'from prometheus_client import Gauge\nACC = Gauge("mlpipeline_train_accuracy", "x")\n'
    )
    (pkg / "pushing.py").write_text('GAUGES = {"passed": "mlpipeline_validation_passed"}\n')
    (pkg / "monitor.py").write_text("from . import pushing\nfrom mlpipeline.metric_names import NAMES\n")
    return pkg


def run(tmp_path: Path) -> list[str]:
    context = Context(root=tmp_path, platform=PlatformObjects(), metrics=METRICS, steps_dir=steps_package(tmp_path))
    return [f.line() for f in policy.run({}, context, only=["metric-emitted"])]


def test_step_metrics_missing_from_code_are_reported(tmp_path):
    assert run(tmp_path) == [
        # metric_names lists the name but only lists it: it does not count as emitting.
        "src/mlpipeline/metric_names.py: Metric/-/mlpipeline_model_version: attributed to step monitor, but "
        "src/mlpipeline/monitor.py and the modules it imports never name it [metric-emitted] (fix: push it "
        "from that step, or attribute it to the step that does)",
        "src/mlpipeline/metric_names.py: -: src/mlpipeline/drift.py does not exist, yet METRICS names step "
        "drift as the source of mlpipeline_drift_psi [metric-emitted] (fix: write the step, or fix the "
        "metrics' source)",
    ]


def test_metric_named_in_an_imported_module_or_by_its_constant_counts(tmp_path):
    lines = run(tmp_path)
    for name in ("mlpipeline_train_accuracy", "mlpipeline_validation_passed", "mlpipeline_deployed_probe_accuracy"):
        assert not any(name in line for line in lines)
