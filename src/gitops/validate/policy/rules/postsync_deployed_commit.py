"""The PostSync check records on the model version the commit Argo CD synced; that takes the Job and its
Application together, and the value must not churn the Application.

Argo CD v3.5.1: the repo-server renders a source at a resolved commit with ARGOCD_APP_REVISION set to it
(reposerver/repository/repository.go newEnv); a kustomize source's commonAnnotations go through Envsubst only
with commonAnnotationsEnvsubst (util/kustomize/kustomize.go Build); kustomize v5.8.1 writes them to every
object and to a Job's pod template (api/internal/konfig/builtinpluginconsts/commonannotations.go), where the
downward API reads them (Kubernetes pkg/fieldpath/fieldpath.go). That value changes with every commit, so
ignoreDifferences must drop it from the diff (util/argo/normalizers/diff_normalizer.go) and
RespectIgnoreDifferences keep the live value on sync (controller/sync.go normalizeTargetResources); hooks are
split off before both (gitops-engine pkg/sync/reconcile.go splitHooks), so the Job still gets the new value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gitops.argocd.sync import HOOK, csv
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.applications import sources
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list

ID = "postsync-deployed-commit"
DESCRIPTION = (
    "a PostSync mark_deployed Job reads DEPLOYED_COMMIT from a pod annotation its Application sets to "
    "${ARGOCD_APP_REVISION}, ignored in the diff and kept on sync"
)
SEVERITY = ERROR
STEP = "mlpipeline.mark_deployed"
VARIABLE = "DEPLOYED_COMMIT"
REVISION = "${ARGOCD_APP_REVISION}"
PREFIX, SUFFIX = "metadata.annotations['", "']"
# Where kustomize's commonAnnotations write (commonannotations.go): what the diff must ignore.
TEMPLATE_PATHS = (
    "/metadata",
    "/spec/template/metadata",
    "/spec/jobTemplate/metadata",
    "/spec/jobTemplate/spec/template/metadata",
)


def pointers(key: str) -> list[str]:
    escaped = key.replace("~", "~0").replace("/", "~1")  # RFC 6901
    return [f"{path}/annotations/{escaped}" for path in TEMPLATE_PATHS]


def _checks(objects: list[dict]) -> Iterator[tuple[str, str]]:
    """(Job name, the pod annotation its DEPLOYED_COMMIT reads, or "") of each PostSync Job running the check."""
    for obj in objects:
        meta = as_dict(obj.get("metadata"))
        if obj.get("kind") != "Job" or "PostSync" not in csv(as_dict(meta.get("annotations")).get(HOOK)):
            continue
        pod = as_dict(as_dict(as_dict(obj.get("spec")).get("template")).get("spec"))
        for container in (as_dict(c) for c in as_list(pod.get("containers"))):
            argv = [str(a) for a in as_list(container.get("command")) + as_list(container.get("args"))]
            if STEP not in argv:
                continue
            key = ""
            for var in (as_dict(v) for v in as_list(container.get("env"))):
                path = str(as_dict(as_dict(var.get("valueFrom")).get("fieldRef")).get("fieldPath") or "")
                if var.get("name") == VARIABLE and path.startswith(PREFIX) and path.endswith(SUFFIX):
                    key = path[len(PREFIX) : -len(SUFFIX)]
            yield str(meta.get("name", "?")), key


def check(overlay: Overlay) -> Iterable[Finding]:
    root = overlay.context.root
    for app in overlay.of_kind("Application"):
        spec = as_dict(app.body.get("spec"))
        for field, source in sources(app):
            path = str(source.get("path") or "").strip("/")
            if not path or source.get("chart") or not (root / path).is_dir():
                continue
            rendered = overlay.context.render(path)
            if not isinstance(rendered, list):
                continue  # app-source-path reports a source that does not build
            for job, key in _checks(rendered):
                yield from _source(overlay, app, spec, field, as_dict(source.get("kustomize")), job, key, path)


def _source(overlay, app, spec: dict, field: str, kustomize: dict, job: str, key: str, path: str):
    set_to_revision = [k for k, v in as_dict(kustomize.get("commonAnnotations")).items() if v == REVISION]
    if not key:
        suggested = set_to_revision[0] if set_to_revision else "<key>"
        yield overlay.finding(
            app,
            f"{field}.path",
            f"Job/{job} in {path} runs {STEP} without {VARIABLE} from a pod annotation: the version gets no git_commit",
            f"give its container env {VARIABLE} valueFrom.fieldRef.fieldPath {PREFIX}{suggested}{SUFFIX}",
        )
        return
    if key not in set_to_revision:
        yield overlay.finding(
            app,
            f"{field}.kustomize.commonAnnotations",
            f"Job/{job} in {path} reads {VARIABLE} from pod annotation {key}, which this Application does not "
            f"set to {REVISION}",
            f"set commonAnnotations {key}: {REVISION} with commonAnnotationsEnvsubst: true",
        )
        return
    if kustomize.get("commonAnnotationsEnvsubst") is not True:
        yield overlay.finding(
            app,
            f"{field}.kustomize.commonAnnotationsEnvsubst",
            f"not true, so Argo CD writes {REVISION} literally into annotation {key} and {VARIABLE} names no commit",
            "set commonAnnotationsEnvsubst: true",
        )
    ignored = [
        p
        for d in (as_dict(d) for d in as_list(spec.get("ignoreDifferences")))
        if d.get("group") == "*" and d.get("kind") == "*"
        for p in as_list(d.get("jsonPointers"))
    ]
    missing = [p for p in pointers(key) if p not in ignored]
    if missing:
        yield overlay.finding(
            app,
            "spec.ignoreDifferences",
            f"does not ignore annotation {key}, which changes with every commit: each commit puts the Application "
            f"OutOfSync (missing {missing[0]})",
            f"add group '*', kind '*' with jsonPointers {', '.join(pointers(key))}",
        )
    if "RespectIgnoreDifferences=true" not in as_list(as_dict(spec.get("syncPolicy")).get("syncOptions")):
        yield overlay.finding(
            app,
            "spec.syncPolicy.syncOptions",
            f"lacks RespectIgnoreDifferences=true: every sync rewrites annotation {key} on every object, and KServe "
            "rolls the predictor pods it copies an InferenceService's annotations into",
            "add RespectIgnoreDifferences=true",
        )
