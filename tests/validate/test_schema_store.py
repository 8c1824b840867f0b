"""CRD schemas come only from the pinned platform files: a mirror, ../shared/platform or a download, sha256-checked."""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from gitops.validate.schemas import platform, store

WFT = "crds/argo-workflows-v4.0.6/argoproj.io_workflowtemplates.yaml"
WFT_SCHEMA = "crds/argoproj.io/workflowtemplate_v1alpha1.json"


@pytest.fixture(scope="module")
def pinned_copy(tmp_path_factory, repo) -> Path:
    """The pinned files laid out as shared/platform: copied from the mirror beside the checkout, else downloaded."""
    copy = tmp_path_factory.mktemp("platform") / "platform"
    for pinned, data in platform.read_all(repo).items():  # verified against platform-files.tsv on the way
        (copy / pinned.local_path).parent.mkdir(parents=True, exist_ok=True)
        (copy / pinned.local_path).write_bytes(data)
    return copy


def upstream_layout(copy: Path, into: Path) -> Path:
    """The same files where raw downloads find them: <repo>/<commit>/<upstream path>."""
    for pinned in platform.pinned_files():
        target = into / pinned.upstream_repo / pinned.commit / pinned.upstream_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(copy / pinned.local_path, target)
    return into


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


@pytest.fixture
def clone(tmp_path) -> Path:
    """A checkout with no shared/ beside it, as a clone under /tmp is."""
    path = tmp_path / "lonely" / "repo"
    path.mkdir(parents=True)
    return path


def _download_only(monkeypatch, url):
    monkeypatch.delenv(platform.MIRROR_ENV, raising=False)
    monkeypatch.setenv(platform.DOWNLOAD_ENV, url)


def test_store_builds_from_download_at_the_pinned_commit(monkeypatch, tmp_path, pinned_copy, served, clone):
    set_dir, url = served
    set_dir(upstream_layout(pinned_copy, tmp_path / "upstream"))
    _download_only(monkeypatch, url)
    index = store.ensure(tmp_path / "store", clone)
    assert index["crds"]["argoproj.io/v1alpha1|WorkflowTemplate"]["origin"] == (
        "argo-workflows v4.0.6 argoproj.io_workflowtemplates.yaml"
    )
    schema = json.loads((tmp_path / "store" / WFT_SCHEMA).read_text())
    assert schema["properties"]["metadata"] == {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    assert schema["properties"]["spec"]["additionalProperties"] is False


def test_tampered_download_names_url_and_both_checksums(monkeypatch, tmp_path, pinned_copy, served, clone):
    upstream = upstream_layout(pinned_copy, tmp_path / "upstream")
    (pinned,) = [p for p in platform.pinned_files() if p.local_path == WFT]
    target = upstream / pinned.upstream_repo / pinned.commit / pinned.upstream_path
    target.write_text(target.read_text().replace("spec:", "spek:", 1))
    set_dir, url = served
    set_dir(upstream)
    _download_only(monkeypatch, url)
    actual = hashlib.sha256(target.read_bytes()).hexdigest()
    with pytest.raises(platform.PlatformFilesError) as err:
        store.build(tmp_path / "store", clone)
    assert str(err.value) == (
        f"{pinned.url(url)}: sha256 mismatch: expected {pinned.sha256}, got {actual}; it is not "
        "manifests/base/crds/full/argoproj.io_workflowtemplates.yaml of argoproj/argo-workflows v4.0.6 (277e9cef0ad1)"
    )
    assert not (tmp_path / "store").exists(), "a failed build must leave no store behind"


def test_missing_file_in_mirror_is_an_error(monkeypatch, tmp_path, pinned_copy, clone):
    partial = tmp_path / "partial"
    shutil.copytree(pinned_copy, partial)
    (partial / WFT).unlink()
    monkeypatch.setenv(platform.MIRROR_ENV, str(partial))
    (pinned,) = [p for p in platform.pinned_files() if p.local_path == WFT]
    with pytest.raises(platform.PlatformFilesError) as err:
        store.build(tmp_path / "store", clone)
    assert str(err.value) == (
        f"{partial / WFT}: missing (pinned argoproj/argo-workflows v4.0.6, sha256 {pinned.sha256}); "
        "the schema store needs every file in platform-files.tsv"
    )


def test_shared_platform_beside_the_checkout_is_found_without_a_variable(monkeypatch, tmp_path, pinned_copy):
    checkout = tmp_path / "work" / "repo"
    checkout.mkdir(parents=True)
    shutil.copytree(pinned_copy, tmp_path / "work" / "shared" / "platform")
    monkeypatch.delenv(platform.MIRROR_ENV, raising=False)
    assert platform.origin(checkout) == str(tmp_path / "work" / "shared" / "platform")
    assert "argoproj.io/v1alpha1|CronWorkflow" in store.ensure(tmp_path / "store", checkout)["crds"]


def test_failed_rebuild_keeps_the_previous_store(monkeypatch, tmp_path, pinned_copy, clone):
    monkeypatch.setenv(platform.MIRROR_ENV, str(pinned_copy))
    root = store.build(tmp_path / "store", clone)
    monkeypatch.setenv(platform.MIRROR_ENV, str(tmp_path / "empty"))
    with pytest.raises(platform.PlatformFilesError):
        store.build(root, clone)
    assert (root / "index.json").is_file()


def test_validate_exits_2_naming_the_variable_when_nothing_can_be_read(monkeypatch, tmp_path, clone, capsys):
    """A clone with no ../shared, no PLATFORM_MIRROR and no network: one line, the variable and the URL tried."""
    from gitops.validate import cli as validate

    _download_only(monkeypatch, "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path / "store"))
    assert validate.main(["--repo", str(clone)], rule_passes=[]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    first = platform.pinned_files()[0]
    assert line.startswith(f"validate: {first.url('http://127.0.0.1:9')}: cannot download (")
    assert line.endswith(
        "; set PLATFORM_MIRROR to a copy of shared/platform, or put shared/platform beside the checkout"
    )


def test_validate_exits_2_on_checksum_mismatch(monkeypatch, tmp_path, pinned_copy, repo, capsys):
    from gitops.validate import cli as validate

    tampered = tmp_path / "tampered"
    shutil.copytree(pinned_copy, tampered)
    (tampered / WFT).write_text("{}")
    monkeypatch.setenv(platform.MIRROR_ENV, str(tampered))
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
