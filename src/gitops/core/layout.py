"""Where things live: the environments in promotion order, the models, each model's folder per environment.

k8s/models/<model>/                 a model's declaration (a kustomize Component)
k8s/overlays/<env>/environment/     what <env> sets for every model (a Component)
k8s/overlays/<env>/namespace/       the namespace <env>'s models share
k8s/overlays/<env>/<model>/         <model> in <env>: its pin (mlpipeline.pin)
"""

from __future__ import annotations

from pathlib import Path

from mlpipeline import pin

# New models enter at dev; staging and prod only receive promotions, in this order.
ORDER: tuple[str, ...] = ("dev", "staging", "prod")
OVERLAYS = Path("k8s/overlays")
MODELS = Path("k8s/models")
KUSTOMIZATION = "kustomization.yaml"
ENVIRONMENT = "environment"  # not deployable: the Component each model folder of the environment includes
NAMESPACE = "namespace"


def models(repo: Path) -> list[str]:
    """The declared models: folders under k8s/models with a kustomization."""
    root = repo / MODELS
    return sorted(p.parent.name for p in root.glob(f"*/{KUSTOMIZATION}")) if root.is_dir() else []


def model_dir(env: str, model: str) -> Path:
    """Repo-relative folder of `model` in `env` (its kustomization holds the pin)."""
    return OVERLAYS / env / model


def pin_file(env: str, model: str) -> Path:
    return Path(pin.PIN_PATH.format(environment=env, model=model))


def environment_dir(env: str) -> Path:
    return OVERLAYS / env / ENVIRONMENT


def namespace_dir(env: str) -> Path:
    return OVERLAYS / env / NAMESPACE


def deployable(repo: Path, env: str) -> list[Path]:
    """Every folder of `env` Argo CD deploys (its namespace and each model's), repo-relative."""
    root = repo / OVERLAYS / env
    if not root.is_dir():
        return []
    return sorted(p.parent.relative_to(repo) for p in root.glob(f"*/{KUSTOMIZATION}") if p.parent.name != ENVIRONMENT)


def root_problem(root: Path) -> str:
    """Why `--root` cannot be the repository ("" when it can be): said before git or kustomize runs in it."""
    if root.is_dir():
        return ""
    what = "not a directory" if root.exists() else "no such directory"
    fix = "pass --root <the repository's top folder>, or leave it out to use the current one"
    return f"--root {root}: {what} (fix: {fix})"


def order_problem(source: str, target: str) -> str:
    """Why `source -> target` is not the next step of the promotion order ("" when it is)."""
    if source == target:
        return "source and target are the same environment"
    step_from, step_to = ORDER.index(source), ORDER.index(target)
    if step_to < step_from:
        return "goes backwards"
    if step_to > step_from + 1:
        skipped = ", ".join(ORDER[step_from + 1 : step_to])
        return f"skips {skipped}"
    return ""
