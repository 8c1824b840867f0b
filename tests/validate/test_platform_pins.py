"""One version per platform component: the pins, the checksum list, the Applications and the bootstrap docs agree.

The pins are src/gitops/validate/schemas/pins.py; the checksum list is
platform-files.tsv, whose rows come from shared/platform/SOURCES.tsv; the
Applications are argocd/apps/application-*.yaml (spec.source.chart and
targetRevision); Argo CD's version is the one argocd/README.md installs.
Each assertion names both sides when they disagree.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml

from gitops.validate.schemas import crds, pins, platform, store
from tests.conftest import REPO

APPS = sorted((REPO / "argocd" / "apps").glob("application-*.yaml"))
SOURCES = platform.beside(REPO) / "SOURCES.tsv"
PINS = "src/gitops/validate/schemas/pins.py"


def chart_sources() -> list[tuple[str, dict]]:
    out = []
    for path in APPS:
        source = yaml.safe_load(path.read_text())["spec"]["source"]
        if "chart" in source:
            out.append((str(path.relative_to(REPO)), source))
    return out


@pytest.fixture(scope="module")
def files(repo) -> dict[str, bytes]:
    return {p.local_path: data for p, data in platform.read_all(repo).items()}


@pytest.mark.parametrize("app,source", chart_sources(), ids=[a for a, _ in chart_sources()])
def test_application_installs_the_pinned_chart_version(app, source):
    pinned = pins.chart_pins()
    chart, revision = source["chart"], str(source["targetRevision"])
    assert chart in pinned, f"{app}: chart {chart} {revision}, but {PINS} pins no chart {chart}"
    component, version = pinned[chart]
    assert revision == version, (
        f"{app}: chart {chart} targetRevision {revision}, but {PINS} pins {chart} {version} ({component.name})"
    )


def test_every_pinned_chart_is_installed_by_an_application():
    installed = {source["chart"] for _, source in chart_sources()}
    missing = sorted(set(pins.chart_pins()) - installed)
    assert missing == [], f"{PINS} pins charts no Application in argocd/apps installs: {missing}"


def test_the_bootstrap_docs_install_the_pinned_argo_cd():
    component = pins.by_name()["argo-cd"]
    doc = REPO / component.installed_by
    found = set(re.findall(r"argoproj/argo-cd/(v[0-9][^/]*)/manifests/install\.yaml", doc.read_text()))
    assert found == {component.version}, (
        f"{component.installed_by} installs Argo CD {found}, {PINS} pins {component.version}"
    )


def test_the_chart_table_of_argocd_readme_shows_the_pins():
    text = (REPO / "argocd" / "README.md").read_text().split("## Chart versions", 1)[-1]
    for chart, (_, version) in pins.chart_pins().items():
        rows = [line for line in text.splitlines() if line.startswith("| ") and re.search(rf"\b{chart}\b", line)]
        assert rows, f"argocd/README.md has no chart-table row for {chart} ({PINS} pins {version})"
        assert all(f"| {version}" in row for row in rows), f"argocd/README.md: {rows[0]!r}; {PINS} pins {version}"


def test_every_pinned_file_sits_in_its_components_versioned_folder():
    components = pins.by_name()
    for row in platform.pinned_files():
        component = components[row.component]
        folder = row.local_path.split("/")[1]
        if row.local_path.startswith("crds/"):
            assert folder == f"{component.name}-{component.version}", (
                f"platform-files.tsv: {row.local_path} is not under crds/{component.name}-{component.version}/"
            )
            assert component.version.lstrip("v") in row.tag, f"{row.local_path}: tag {row.tag}, pin {component.version}"
        else:
            chart = folder.rsplit("-", 1)[0]
            pinned = component.charts.get(chart)
            if pinned is None:  # a chart with no Application (mlflow's, the pushgateway's: one chart, one version)
                pinned = component.version
            assert folder == f"{chart}-{pinned}", f"platform-files.tsv: {row.local_path}, but {PINS} pins {pinned}"


def test_chart_yaml_says_the_pinned_chart_and_app_versions(files):
    components = pins.by_name()
    for row in platform.pinned_files():
        if not row.local_path.endswith("Chart.yaml"):
            continue
        chart = yaml.safe_load(files[row.local_path])
        component = components[row.component]
        pinned = component.charts.get(chart["name"], component.version)
        assert str(chart["version"]) == pinned, f"{row.local_path} says version {chart['version']}, {PINS}: {pinned}"
        if row.component in ("argo-workflows", "external-secrets", "kserve"):
            # these charts' appVersion is the release their CRDs come from
            assert chart["appVersion"] == component.version, (
                f"{row.local_path} says appVersion {chart['appVersion']}, {PINS} pins {component.version}"
            )


@pytest.mark.skipif(not SOURCES.is_file(), reason="no shared/platform beside the checkout (download path)")
def test_the_checksum_list_is_copied_from_the_mirrors_sources():
    """platform-files.tsv invents nothing: every row is a SOURCES.tsv row (repo, tag, commit, path, sha256)."""
    with SOURCES.open() as handle:
        sources = {r["local_path"]: r for r in csv.DictReader(handle, delimiter="\t")}
    for row in platform.pinned_files():
        upstream = sources.get(row.local_path)
        assert upstream, f"platform-files.tsv: {row.local_path} is not in {SOURCES}"
        ours = (row.upstream_repo, row.tag, row.commit, row.upstream_path, row.sha256)
        theirs = tuple(upstream[k] for k in ("upstream_repo", "tag", "commit", "upstream_path", "sha256"))
        assert ours == theirs, f"{row.local_path}: platform-files.tsv says {ours}, SOURCES.tsv says {theirs}"


def test_every_served_kind_of_the_pinned_crds_is_in_the_store_from_its_file(schema_index, files):
    """Each CRD file's served versions are in the store, with that file named as their origin."""
    index = schema_index.data["crds"]
    expected = set()
    for row in platform.pinned_files():
        if not row.local_path.startswith("crds/"):
            continue
        origin = f"{row.component} {pins.by_name()[row.component].version} {Path(row.local_path).name}"
        for crd in crds.parse(files[row.local_path].decode(), row.local_path):
            for version in crds.served_versions(crd, origin):
                key = f"{version.api_version}|{version.kind}"
                expected.add(key)
                assert index[key]["origin"] == origin, f"{key}: store says {index[key]['origin']}, file is {origin}"
    assert set(index) == expected


def test_the_stored_schema_is_the_translation_of_the_pinned_crd(schema_index, files):
    """WorkflowTemplate's store file is exactly what store.crd_schema makes of the pinned v4.0.6 CRD."""
    path = "crds/argo-workflows-v4.0.6/argoproj.io_workflowtemplates.yaml"
    (crd,) = crds.parse(files[path].decode(), path)
    (version,) = crds.served_versions(crd, "argo-workflows v4.0.6 argoproj.io_workflowtemplates.yaml")
    schema, rules = store.crd_schema(version)
    stored = store.crd_file(schema_index.root, "argoproj.io/v1alpha1", "WorkflowTemplate")
    assert json.loads(stored.read_text()) == json.loads(json.dumps(schema))
    assert len(rules["cel"]) == 38
