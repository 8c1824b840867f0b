"""The repo's Dockerfile read by stage, and the hash-pinned locks it installs, for tests without a Docker engine."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text()


def stages() -> dict[str, str]:
    """Stage name -> its lines (FROM ... AS <name> up to the next FROM)."""
    parts = re.split(r"^(?=FROM )", DOCKERFILE, flags=re.M)[1:]
    return {re.match(r"FROM \S+ AS (\S+)", p).group(1): p for p in parts}


def env(stage: str) -> dict[str, str]:
    """The ENV settings of a stage (key=value form, continued lines joined)."""
    text = stages()[stage].replace("\\\n", " ")
    out: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", text, re.M):
        for word in shlex.split(line):
            key, _, value = word.partition("=")
            out[key] = value
    return out


def lock(name: str) -> dict[str, str]:
    """name -> version of a uv-generated lock, asserting every requirement carries a sha256 hash."""
    text = (REPO / "requirements" / name).read_text()
    entries = re.findall(
        r"^([A-Za-z0-9_.\-]+)==([^\s\\]+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.M
    )
    pins = {normalized(n): v for n, v, _ in entries}
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9_.\-]+==", text, re.M)), f"{name}: a requirement without a hash"
    return pins


def normalized(name: str) -> str:
    """A project name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()
