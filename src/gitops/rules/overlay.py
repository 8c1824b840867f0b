"""What a rule sees: one rendered kustomization plus the repo-wide context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from gitops.documents import Document
from gitops.findings import Finding
from gitops.render import RenderError, build
from gitops.rules.platform import PlatformObjects, load_platform_objects

PLATFORM_FILE = "policy/platform-objects.yaml"
STEPS_DIR = "src/mlpipeline"


@dataclass
class Context:
    """Repo-wide inputs: the root, the reviewed platform list, the metric list, the steps package."""

    root: Path
    platform: PlatformObjects
    metrics: tuple  # of mlpipeline.metric_names.Metric
    steps_dir: Path
    # Renders of Application source paths, shared by every rule and overlay in one run.
    renders: dict = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Context:
        """The real repo's context: policy/platform-objects.yaml and mlpipeline.metric_names."""
        # The steps package, not tooling: import late so tests can pass their own metrics.
        from mlpipeline.metric_names import METRICS

        return cls(
            root=root,
            platform=load_platform_objects(root / PLATFORM_FILE, PLATFORM_FILE),
            metrics=METRICS,
            steps_dir=root / STEPS_DIR,
        )

    def render(self, path: str) -> list[dict] | RenderError:
        """Build a repo-relative kustomization once per run: its objects, or why it failed."""
        # The validator may pre-fill `renders` with what it has already built.
        if path not in self.renders:
            try:
                text = build(self.root / path, self.root).text
                self.renders[path] = [d for d in yaml.load_all(text, Loader=_LOADER) if isinstance(d, dict)]
            except RenderError as err:
                self.renders[path] = err
        return self.renders[path]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Overlay:
    """The rendered documents of ONE kustomization (`source`, repo-relative) and the context."""

    source: str
    docs: Sequence[Document]
    context: Context

    @cached_property
    def _by_kind(self) -> dict[str, list[Document]]:
        # Rules look objects up by kind and name for every reference; index once per overlay.
        out: dict[str, list[Document]] = {}
        for doc in self.docs:
            out.setdefault(doc.kind, []).append(doc)
        return out

    @cached_property
    def _by_name(self) -> dict[tuple[str, str], list[Document]]:
        out: dict[tuple[str, str], list[Document]] = {}
        for doc in self.docs:
            out.setdefault((doc.kind, doc.name), []).append(doc)
        return out

    def of_kind(self, *kinds: str) -> list[Document]:
        if len(kinds) == 1:
            return self._by_kind.get(kinds[0], [])
        return [d for d in self.docs if d.kind in kinds]

    def named(self, kind: str, name: str, namespace: str = "") -> Document | None:
        """The overlay's object of that kind and name (namespace checked only when both have one)."""
        for doc in self._by_name.get((kind, name), []):
            if _same_namespace(doc.namespace, namespace):
                return doc
        return None

    def provides(self, kind: str, name: str, namespace: str = "") -> bool:
        """True when the overlay renders the object or the platform list says the platform does."""
        return self.named(kind, name, namespace) is not None or self.context.platform.has(kind, name, namespace)

    def finding(self, doc: Document | None, path: str, message: str, hint: str = "") -> Finding:
        """A finding about `doc`; the engine stamps the rule id and severity."""
        resource = doc.resource if doc is not None else "-"
        return Finding(source=self.source, resource=resource, path=path, message=message, hint=hint, rule="")


def _same_namespace(a: str, b: str) -> bool:
    return not a or not b or a == b
