"""Holdout figures for a fitted model: accuracy, per-class F1, confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Report:
    accuracy: float
    f1_macro: float
    f1_per_class: dict[str, float]
    confusion: list[list[int]]
    class_names: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "f1_macro": self.f1_macro,
            "f1_per_class": self.f1_per_class,
            "confusion_matrix": self.confusion,
            "class_names": list(self.class_names),
        }


def evaluate(y_true, y_pred, class_names: tuple[str, ...]) -> Report:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    labels = list(range(len(class_names)))
    per_class = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return Report(
        accuracy=float(accuracy_score(y_true, y_pred)),
        f1_macro=float(np.mean(per_class)),
        f1_per_class={name: float(score) for name, score in zip(class_names, per_class, strict=True)},
        confusion=confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        class_names=class_names,
    )


def confusion_figure(report: Report):
    import matplotlib

    matplotlib.use("Agg")  # no display in a pod
    from sklearn.metrics import ConfusionMatrixDisplay

    display = ConfusionMatrixDisplay(np.array(report.confusion), display_labels=list(report.class_names))
    display.plot(colorbar=False)
    display.ax_.set_title(f"holdout accuracy {report.accuracy:.3f}")
    return display.figure_
