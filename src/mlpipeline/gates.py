"""The validation gates: absolute floors, then "not worse than the champion"."""

from __future__ import annotations

from dataclasses import dataclass

from mlpipeline.evaluation import Report


@dataclass(frozen=True)
class Thresholds:
    accuracy_floor: float
    f1_floor: float
    champion_tolerance: float


def failures(report: Report, thresholds: Thresholds, champion_accuracy: float | None) -> list[str]:
    """Every gate the candidate misses, in words; empty means it passed."""
    missed = []
    if report.accuracy < thresholds.accuracy_floor:
        missed.append(f"accuracy {report.accuracy:.4f} below floor {thresholds.accuracy_floor}")
    for name, score in report.f1_per_class.items():
        if score < thresholds.f1_floor:
            missed.append(f"F1 of class {name} {score:.4f} below floor {thresholds.f1_floor}")
    # Without a champion only the absolute gates apply (first model in an environment).
    if champion_accuracy is not None and report.accuracy < champion_accuracy - thresholds.champion_tolerance:
        missed.append(
            f"accuracy {report.accuracy:.4f} worse than champion {champion_accuracy:.4f}"
            f" by more than {thresholds.champion_tolerance}"
        )
    return missed
