"""What a trained version is made of, as one digest: the same key means training again makes the same model.

Four parts, each a sha256 recorded as a tag beside the key, so a mismatch says
which part moved:
  data       every row and label of the model's dataset, as CSV text (what load_dataset() returns)
  params     the training parameters (trees, depth, seed, holdout fraction, model spec), as sorted JSON
  code       the source of this package and of the model spec module
  libraries  every installed distribution and its version: the lock as installed in the step image
Training is seeded, so equal parts give an equal model; train reuses the version
that carries the key instead of registering a copy (and deploy opens no PR).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mlpipeline.dataset import frame_digest

if TYPE_CHECKING:
    import pandas as pd

TAG = "content_key"
PART_TAGS = ("content.data_sha256", "content.params_sha256", "content.code_sha256", "content.libraries_sha256")
PACKAGE = Path(__file__).resolve().parent


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ContentKey:
    data: str
    params: str
    code: str
    libraries: str

    @property
    def digest(self) -> str:
        return _sha256(json.dumps([self.data, self.params, self.code, self.libraries]))

    def tags(self) -> dict[str, str]:
        """The key and its parts, as model-version tags."""
        parts = (self.data, self.params, self.code, self.libraries)
        return {TAG: self.digest, **dict(zip(PART_TAGS, parts, strict=True))}


def code_digest(spec: ModuleType) -> str:
    """This package's sources (not its bytecode) and the spec module's, by relative path."""
    files = {path.relative_to(PACKAGE.parent).as_posix(): path for path in sorted(PACKAGE.rglob("*.py"))}
    spec_file = inspect.getsourcefile(spec)
    if spec_file and not Path(spec_file).resolve().is_relative_to(PACKAGE):
        files[f"spec:{spec.__name__}"] = Path(spec_file)
    return _sha256(json.dumps({name: _sha256(path.read_text(encoding="utf-8")) for name, path in files.items()}))


def libraries_digest() -> str:
    installed = {(dist.metadata["Name"] or "").lower(): dist.version for dist in metadata.distributions()}
    return _sha256("\n".join(f"{name}=={version}" for name, version in sorted(installed.items()) if name))


def compute(X: pd.DataFrame, y: pd.Series, params: dict[str, Any], spec: ModuleType) -> ContentKey:
    return ContentKey(
        data=frame_digest(X.assign(**{f"_label_{y.name}": y.values})),
        params=_sha256(json.dumps(params, sort_keys=True, default=str)),
        code=code_digest(spec),
        libraries=libraries_digest(),
    )


def versions_with(client, name: str, key: str) -> list:
    """Registered, ready versions carrying `key`, oldest first."""
    found = client.search_model_versions(f"name='{name}' and tags.{TAG}='{key}'")
    return sorted((mv for mv in found if mv.status == "READY"), key=lambda mv: int(mv.version))
