"""The CRD schemas come only from the pinned catalog: mirror or URL, checksums enforced."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from gitops.validate.schemas import catalog, store

MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "crds-catalog"
WFT = "argoproj.io/workflowtemplate_v1alpha1.json"


@pytest.fixture(scope="module")
def mirror_copy(tmp_path_factory) -> Path:
    """A copy of the pinned catalog: from the offline mirror here, from the pinned URL on GitHub's runners."""
    import os

    copy = tmp_path_factory.mktemp("catalog") / "crds-catalog"
    source = Path(os.environ.get(catalog.MIRROR_ENV) or MIRROR)
    if source.is_dir():
        shutil.copytree(source, copy)
        return copy
    for name, data in catalog.fetch_all().items():  # verified against catalog.sha256 on the way
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(data)
    return copy


@pytest.fixture
def served(tmp_path):
    """A loopback HTTP server over a directory; yields (set_dir, base_url)."""
    state = {"dir": tmp_path}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            return str(Path(state["dir"]) / path.lstrip("/"))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield (lambda d: state.update(dir=d)), f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _use_url(monkeypatch, url):
    monkeypatch.delenv(catalog.MIRROR_ENV, raising=False)
    monkeypatch.setenv(catalog.BASE_URL_ENV, url)


def test_store_builds_from_download(monkeypatch, tmp_path, mirror_copy, served):
    set_dir, url = served
    set_dir(mirror_copy)
    _use_url(monkeypatch, url)
    index = store.ensure(tmp_path / "store")
    assert WFT in index["crds"]
    schema = json.loads((tmp_path / "store" / "crds" / WFT).read_text())
    assert schema["additionalProperties"] is False
    assert schema["properties"]["metadata"] == {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}


def test_tampered_download_names_url_and_both_checksums(monkeypatch, tmp_path, mirror_copy, served):
    tampered = tmp_path / "tampered"
    shutil.copytree(mirror_copy, tampered)
    (tampered / WFT).write_text((tampered / WFT).read_text().replace('"spec"', '"spek"', 1))
    set_dir, url = served
    set_dir(tampered)
    _use_url(monkeypatch, url)
    expected = catalog.pinned_sums()[WFT]
    import hashlib

    actual = hashlib.sha256((tampered / WFT).read_bytes()).hexdigest()
    with pytest.raises(catalog.CatalogError) as err:
        store.build(tmp_path / "store")
    assert str(err.value) == (
        f"{url}/{WFT}: sha256 mismatch: expected {expected}, got {actual}; "
        f"the file is not the one pinned at commit {catalog.COMMIT}"
    )
    assert not (tmp_path / "store").exists(), "a failed build must leave no store behind"


def test_missing_file_in_mirror_is_an_error(monkeypatch, tmp_path, mirror_copy):
    partial = tmp_path / "partial"
    shutil.copytree(mirror_copy, partial)
    (partial / WFT).unlink()
    monkeypatch.setenv(catalog.MIRROR_ENV, str(partial))
    expected = catalog.pinned_sums()[WFT]
    with pytest.raises(catalog.CatalogError) as err:
        store.build(tmp_path / "store")
    assert str(err.value) == (
        f"{partial / WFT}: missing (expected sha256 {expected}); the store needs every file in catalog.sha256"
    )


def test_failed_rebuild_keeps_the_previous_store(monkeypatch, tmp_path, mirror_copy):
    monkeypatch.setenv(catalog.MIRROR_ENV, str(mirror_copy))
    root = store.build(tmp_path / "store")
    monkeypatch.setenv(catalog.MIRROR_ENV, str(tmp_path / "empty"))
    with pytest.raises(catalog.CatalogError):
        store.build(root)
    assert (root / "index.json").is_file()


def test_validate_exits_2_on_checksum_mismatch(monkeypatch, tmp_path, mirror_copy, repo, capsys):
    from gitops.validate import cli as validate

    tampered = tmp_path / "tampered"
    shutil.copytree(mirror_copy, tampered)
    (tampered / WFT).write_text("{}")
    monkeypatch.setenv(catalog.MIRROR_ENV, str(tampered))
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path / "store"))
    assert validate.main(["tests/fixtures/validate/good/overlay", "--repo", str(repo)], rule_passes=[]) == 2
    assert "sha256 mismatch: expected " in capsys.readouterr().err


def test_core_schemas_are_standalone_for_kubeconform(schema_index):
    """No 2020-12 $schema URL and no ref outside the file: a draft-4 reader fetches nothing."""
    root = schema_index.root
    for version in store.KUBERNETES_VERSIONS:
        text = (store.core_dir(root, version) / "deployment-apps-v1.json").read_text()
        assert "$schema" not in text
        assert "/api/_definitions.json" not in text
        refs = {r for r in _refs(json.loads(text))}
        assert refs and all(r.startswith("#/$defs/") for r in refs)


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for v in node.values():
            yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)
