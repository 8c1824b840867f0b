"""The pinned platform files (CRDs, Chart.yaml), each checked against its committed sha256.

Where they are read from, first match wins:
  1. $PLATFORM_MIRROR, a directory laid out like shared/platform (local_path below it);
  2. ../shared/platform beside the checkout (CI runs a clean clone with ../shared beside it);
  3. the upstream repository at the pinned commit, as raw files (machines with internet);
     $PLATFORM_DOWNLOAD_URL replaces the host, so tests can serve the files on loopback.
A file that is missing or whose sha256 differs stops the build of the store: the
schemas are those of the pinned releases or there are none.
"""

from __future__ import annotations

import csv
import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MIRROR_ENV = "PLATFORM_MIRROR"
DOWNLOAD_ENV = "PLATFORM_DOWNLOAD_URL"
DOWNLOAD_URL = "https://raw.githubusercontent.com"
FILES = Path(__file__).with_name("platform-files.tsv")
COLUMNS = ("component", "local_path", "upstream_repo", "tag", "commit", "upstream_path", "sha256")


class PlatformFilesError(Exception):
    """A pinned file is missing, unreachable or not the pinned bytes."""


@dataclass(frozen=True)
class PinnedFile:
    component: str
    local_path: str  # relative to shared/platform, e.g. crds/kserve-v0.20.0/serving.kserve.io_inferenceservices.yaml
    upstream_repo: str
    tag: str
    commit: str
    upstream_path: str
    sha256: str

    def url(self, base: str) -> str:
        return f"{base.rstrip('/')}/{self.upstream_repo}/{self.commit}/{self.upstream_path}"


def pinned_files(path: Path = FILES) -> list[PinnedFile]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t"))
    if tuple(rows[0]) != COLUMNS:
        raise PlatformFilesError(f"{path}: header must be {' '.join(COLUMNS)}")
    return [PinnedFile(*row) for row in rows[1:]]


def beside(repo: Path) -> Path:
    return repo.resolve().parent / "shared" / "platform"


def origin(repo: Path) -> str:
    """A mirror directory, or the base URL files are downloaded from."""
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        return mirror
    if beside(repo).is_dir():
        return str(beside(repo))
    return os.environ.get(DOWNLOAD_ENV) or DOWNLOAD_URL


def _download(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise PlatformFilesError(f"{url}: HTTP {err.code}; {_offline_hint()}") from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise PlatformFilesError(f"{url}: cannot download ({reason}); {_offline_hint()}") from err


def _offline_hint() -> str:
    return f"set {MIRROR_ENV} to a copy of shared/platform, or put shared/platform beside the checkout"


def read(pinned: PinnedFile, where: str) -> bytes:
    """The file's bytes from `where` (origin()), verified against the committed sha256."""
    if "://" in where:
        source, data = pinned.url(where), _download(pinned.url(where))
    else:
        path = Path(where) / pinned.local_path
        source, data = str(path), path.read_bytes() if path.is_file() else None
    if data is None:
        raise PlatformFilesError(
            f"{source}: missing (pinned {pinned.upstream_repo} {pinned.tag}, sha256 {pinned.sha256}); "
            f"the schema store needs every file in {FILES.name}"
        )
    actual = hashlib.sha256(data).hexdigest()
    if actual != pinned.sha256:
        raise PlatformFilesError(
            f"{source}: sha256 mismatch: expected {pinned.sha256}, got {actual}; "
            f"it is not {pinned.upstream_path} of {pinned.upstream_repo} {pinned.tag} ({pinned.commit[:12]})"
        )
    return data


def read_all(repo: Path) -> dict[PinnedFile, bytes]:
    where = origin(repo)
    return {pinned: read(pinned, where) for pinned in pinned_files()}
