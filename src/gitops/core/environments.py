"""The environments, their order, and where each one's overlay lives."""

from __future__ import annotations

from pathlib import Path

# New models enter at dev; staging and prod only receive promotions, in this order.
ORDER: tuple[str, ...] = ("dev", "staging", "prod")
OVERLAYS = Path("k8s/overlays")
PIN_FILE = "model-pin.yaml"
KUSTOMIZATION = "kustomization.yaml"


def overlay(env: str) -> Path:
    """Repo-relative directory of an environment's overlay."""
    return OVERLAYS / env


def order_problem(source: str, target: str) -> str:
    """Why `source -> target` is not the next step of the promotion order ("" when it is)."""
    if source == target:
        return "source and target are the same overlay"
    step_from, step_to = ORDER.index(source), ORDER.index(target)
    if step_to < step_from:
        return "goes backwards"
    if step_to > step_from + 1:
        skipped = ", ".join(ORDER[step_from + 1 : step_to])
        return f"skips {skipped}"
    return ""
