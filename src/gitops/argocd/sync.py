"""How Argo CD v3.5.1 reads an object's sync annotations (gitops-engine, vendored in-tree at v3.5.1).

- values are comma-separated, trimmed, empty and repeated items dropped
  (gitops-engine/pkg/sync/resource/annotations.go GetAnnotationCSVs);
- the wave is strconv.Atoi of argocd.argoproj.io/sync-wave, else of helm.sh/hook-weight,
  else 0 (pkg/sync/syncwaves/waves.go, pkg/sync/hook/helm/weight.go);
- hook types PreSync, Sync, PostSync, SyncFail, Skip (pkg/sync/common/types.go
  NewHookType); PreDelete and PostDelete are Argo CD's own (controller/hook.go);
- tasks run by phase (PreSync -1, Sync 0, PostSync 1; SyncFail only after a failure)
  then wave (pkg/sync/sync_tasks.go).
"""

from __future__ import annotations

import re
from typing import Any

WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"
HOOKS = ("PreSync", "Sync", "PostSync", "SyncFail", "Skip", "PreDelete", "PostDelete")
PHASES = {"PreSync": -1, "Sync": 0, "PostSync": 1}
_ATOI = re.compile(r"^[+-]?[0-9]+$")
_INT64 = 2**63


def csv(value: Any) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in str(value or "").split(",") if item.strip()))


def atoi(text: Any) -> int | None:
    """Go strconv.Atoi on a 64-bit platform: optional sign, decimal digits, int64 range; None otherwise."""
    text = str(text)
    if not _ATOI.match(text) or not -_INT64 <= int(text) < _INT64:
        return None
    return int(text)


def wave(annotations: dict) -> int:
    for key in (WAVE, "helm.sh/hook-weight"):
        if key in annotations and (value := atoi(annotations[key])) is not None:
            return value
    return 0


def phases(annotations: dict) -> list[tuple[int, bool]]:
    """(phase, is_hook) of each sync task an object with these annotations becomes in a normal sync."""
    if HOOK not in annotations:
        return [(PHASES["Sync"], False)]
    return [(PHASES[h], True) for h in csv(annotations[HOOK]) if h in PHASES]
