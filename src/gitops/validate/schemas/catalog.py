"""Custom resource schemas from the datreeio CRDs-catalog, pinned by commit and checksum.

Read from a mirror directory when CRDS_CATALOG_MIRROR names one (CI here has no
internet), else fetched from the pinned raw URL. Every file's sha256 is
committed in catalog.sha256 beside this module; a mismatch or a missing file
stops the build of the store.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

COMMIT = "7b1e26ef9deea49293714d204c1a2270aab1178f"
BASE_URL = f"https://raw.githubusercontent.com/datreeio/CRDs-catalog/{COMMIT}/"
MIRROR_ENV = "CRDS_CATALOG_MIRROR"
BASE_URL_ENV = "CRDS_CATALOG_URL"  # tests point this at a loopback server
SUMS_FILE = Path(__file__).with_name("catalog.sha256")


class CatalogError(Exception):
    """A catalog file is missing or does not match its committed checksum."""


def pinned_sums() -> dict[str, str]:
    sums = {}
    for line in SUMS_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            sums[name.strip()] = digest
    return sums


def source() -> str:
    """Where files come from: the mirror directory, or the pinned URL."""
    mirror = os.environ.get(MIRROR_ENV)
    return mirror if mirror else os.environ.get(BASE_URL_ENV, BASE_URL)


def _read(origin: str, name: str) -> tuple[str, bytes | None]:
    if "://" not in origin:
        path = Path(origin) / name
        return str(path), path.read_bytes() if path.is_file() else None
    url = origin.rstrip("/") + "/" + name
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return url, response.read()
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return url, None
        raise CatalogError(f"{url}: HTTP {err.code}; set {MIRROR_ENV} to an offline copy") from err
    except urllib.error.URLError as err:
        raise CatalogError(f"{url}: {err.reason}; set {MIRROR_ENV} to an offline copy of the catalog") from err


def fetch_verified(name: str, expected: str) -> bytes:
    where, data = _read(source(), name)
    if data is None:
        raise CatalogError(
            f"{where}: missing (expected sha256 {expected}); the store needs every file in {SUMS_FILE.name}"
        )
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise CatalogError(
            f"{where}: sha256 mismatch: expected {expected}, got {actual}; "
            f"the file is not the one pinned at commit {COMMIT}"
        )
    return data


def fetch_all() -> dict[str, bytes]:
    """name -> verified bytes, for every file in catalog.sha256."""
    return {name: fetch_verified(name, digest) for name, digest in pinned_sums().items()}
