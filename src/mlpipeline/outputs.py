"""Output parameters: one file per value plus summary.json.

Argo reads each output parameter with valueFrom.path, so a value is written
verbatim without a trailing newline. Files are written to a temporary name
and renamed so Argo never reads a half-written value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mlpipeline import failures

# Enough for every output file and summary.json of any step, with room to spare.
PREFLIGHT_BYTES = 64 * 1024


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_outputs(outputs_dir: str | Path, params: dict[str, Any], summary: dict[str, Any] | None = None) -> None:
    """Write each output parameter as its own file, then summary.json with everything."""
    directory = Path(outputs_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in params.items():
        _atomic_write(directory / name, _text(value))
    document = {name: _text(value) for name, value in params.items()}
    document.update(summary or {})
    _atomic_write(directory / "summary.json", json.dumps(document, indent=2, sort_keys=True, default=str))


def preflight(outputs_dir: str | Path) -> None:
    """Steps write their outputs last, after the registry or git has changed: a full or read-only volume must
    stop the step before it changes anything, not after. Writes (and syncs) a probe of PREFLIGHT_BYTES."""
    directory = Path(outputs_dir)
    probe = directory / ".preflight"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as handle:
            handle.write(b"\0" * PREFLIGHT_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        known = failures.disk(err, f"--outputs-dir {directory}")
        if known is None:
            raise
        raise known from None
    finally:
        probe.unlink(missing_ok=True)
