"""Model specs: everything model-specific (data, features, estimator) lives in one module.

A spec module defines:
  NAME: str                         short name, used in run names and tags
  load_dataset() -> (X, y)          X a DataFrame with the feature columns, y a Series of labels
  build_estimator(params) -> est    an unfitted scikit-learn estimator
  CLASS_NAMES: tuple[str, ...]      label names in label order, for reports

MODEL_SPEC picks it: a bare name means mlpipeline.models.<name>, a dotted path
any importable module, so a second model is a new module plus configuration.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from mlpipeline.errors import UsageError

REQUIRED = ("NAME", "load_dataset", "build_estimator", "CLASS_NAMES")


def load_spec(name: str) -> ModuleType:
    module_name = name if "." in name else f"{__name__}.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name and module_name.startswith(err.name):
            raise UsageError(
                "--model-spec",
                f"no model module {module_name}",
                "set MODEL_SPEC to a module under mlpipeline.models or a dotted module path",
            ) from None
        raise
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing:
        raise UsageError(
            "--model-spec",
            f"{module_name} lacks {', '.join(missing)}",
            "define every name listed in mlpipeline/models/__init__.py",
        )
    return module
