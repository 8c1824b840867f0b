"""What a rule sees: one rendered kustomization plus the repo-wide context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from gitops.core.documents import Document
from gitops.core.findings import Finding
from gitops.core.kustomize import RenderError
from gitops.core.renders import Renders
from gitops.validate.policy.charts import OPEN_VALUES_FILE, OpenValues, PinnedCharts, load_open_values
from gitops.validate.policy.platform import PlatformObjects, load_platform_objects
from gitops.validate.policy.storage import SERVING_STORAGE_FILE, ServingStorage, load_serving_storage
from gitops.validate.schemas import store

PLATFORM_FILE = "policy/platform-objects.yaml"
STEPS_DIR = "src/mlpipeline"


@dataclass
class Context:
    """Repo-wide inputs, built once per run: the root, the reviewed platform list, the metric
    list, the steps package, the run's renders (what Application rules follow), the pinned
    Helm charts, the reviewed list of the value maps they leave open, and the reviewed list of
    where each environment's serving fetches models from."""

    root: Path
    platform: PlatformObjects
    metrics: tuple  # of mlpipeline.metric_names.Metric
    steps_dir: Path
    renders: Renders = field(default=None)  # type: ignore[assignment]
    charts: PinnedCharts = field(default_factory=lambda: PinnedCharts(None))
    open_values: OpenValues = field(default_factory=lambda: OpenValues({}))
    storage: ServingStorage = field(default_factory=lambda: ServingStorage({}))

    def __post_init__(self) -> None:
        if self.renders is None:
            self.renders = Renders(self.root)

    @classmethod
    def load(cls, root: Path, renders: Renders | None = None, platform: str = "") -> Context:
        """The real repo's context: policy/platform-objects.yaml and mlpipeline.metric_names.
        `platform` "demo" validates for `make demo`'s platform instead of the cluster."""
        # The steps package, not tooling: import late so tests can pass their own metrics.
        from mlpipeline.metric_names import METRICS

        return cls(
            root=root,
            platform=load_platform_objects(root / PLATFORM_FILE, PLATFORM_FILE),
            metrics=METRICS,
            steps_dir=root / STEPS_DIR,
            renders=renders or Renders(root),
            charts=PinnedCharts(store.default_root(root)),
            open_values=load_open_values(root / OPEN_VALUES_FILE, OPEN_VALUES_FILE),
            storage=load_serving_storage(root / SERVING_STORAGE_FILE, SERVING_STORAGE_FILE, platform),
        )

    def render(self, path: str) -> list[dict] | RenderError:
        """A repo-relative kustomization's objects, or why it does not build."""
        return self.renders.objects(path)


@dataclass
class Overlay:
    """The rendered documents of ONE kustomization (`source`, repo-relative) and the context.

    For a repo-wide rule `source` is "-", `docs` holds every render's documents (each
    keeps its own source) and `renders` maps each rendered kustomization to its documents.
    """

    source: str
    docs: Sequence[Document]
    context: Context
    renders: Mapping[str, Sequence[Document]] = field(default_factory=dict)

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
        # A repo-wide rule reports an object where it was rendered.
        source = doc.source if doc is not None and self.source == "-" else self.source
        return Finding(source=source, resource=resource, path=path, message=message, hint=hint, rule="")

    def file_finding(self, file: str, path: str, message: str, hint: str = "") -> Finding:
        """A finding about a line of a file (a kustomization), reported under its directory."""
        directory, _, name = file.rpartition("/")
        return Finding(source=directory or ".", resource=name, path=path, message=message, hint=hint, rule="")


def _same_namespace(a: str, b: str) -> bool:
    return not a or not b or a == b
