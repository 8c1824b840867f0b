"""RBAC rules, role references and subjects.

From pkg/apis/rbac/validation/validation.go (ValidatePolicyRule,
ValidateRoleBinding, ValidateClusterRoleBinding, validateRoleBindingSubject),
after the defaults rbac/v1 applies (roleRef.apiGroup and User/Group subjects'
apiGroup default to rbac.authorization.k8s.io). Paths start at `rules`,
`roleRef` and `subjects`, as the API server prints them.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import Problem, as_dict, as_list, invalid, required, unsupported

ID = "rbac"
DESCRIPTION = "Role rules need verbs, apiGroups and resources; bindings' roleRef and subjects"
SOURCE = "pkg/apis/rbac/validation/validation.go"
KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
GROUP = "rbac.authorization.k8s.io"


def check(kind: str, body: dict) -> Iterator[Problem]:
    if kind in ("Role", "ClusterRole"):
        for i, rule in enumerate(as_list(body.get("rules"))):
            yield from _rule(as_dict(rule), f"rules[{i}]", namespaced=kind == "Role")
    else:
        yield from _binding(kind, body)


def _rule(rule: dict, at: str, namespaced: bool) -> Iterator[Problem]:
    if not as_list(rule.get("verbs")):
        yield required(
            f"{at}.verbs", "list the verbs, e.g. [get, list, watch]", "verbs must contain at least one value"
        )
    urls = as_list(rule.get("nonResourceURLs"))
    if urls:
        if namespaced:
            yield invalid(
                f"{at}.nonResourceURLs",
                urls,
                "namespaced rules cannot apply to non-resource URLs",
                "use a ClusterRole for non-resource URLs",
            )
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            yield invalid(
                f"{at}.nonResourceURLs",
                urls,
                "rules cannot apply to both regular resources and non-resource URLs",
                "split it into two rules",
            )
        return
    if not as_list(rule.get("apiGroups")):
        yield required(
            f"{at}.apiGroups",
            'list the API groups; "" is the core group',
            "resource rules must supply at least one api group",
        )
    if not as_list(rule.get("resources")):
        yield required(f"{at}.resources", "list the resources", "resource rules must supply at least one resource")
    if as_list(rule.get("resourceNames")) and len(as_list(rule.get("resources"))) > 1:
        yield required(
            f"{at}.resourceNames",
            "one rule per resource when naming objects",
            "resource names cannot apply to multiple resources",
        )


def _binding(kind: str, body: dict) -> Iterator[Problem]:
    ref = as_dict(body.get("roleRef"))
    if ref.get("apiGroup", GROUP) not in (GROUP, ""):
        yield unsupported("roleRef.apiGroup", ref.get("apiGroup"), (GROUP,))
    kinds = ("Role", "ClusterRole") if kind == "RoleBinding" else ("ClusterRole",)
    if ref.get("kind") not in kinds:
        yield unsupported("roleRef.kind", ref.get("kind"), kinds)
    if not ref.get("name"):
        yield required("roleRef.name", "name the role")
    else:
        for detail in v.path_segment(str(ref["name"])):
            yield invalid("roleRef.name", ref["name"], detail, "remove '/' and '%'")
    for i, subject in enumerate(as_list(body.get("subjects"))):
        yield from _subject(as_dict(subject), f"subjects[{i}]", cluster=kind == "ClusterRoleBinding")


def _subject(subject: dict, at: str, cluster: bool) -> Iterator[Problem]:
    name, kind = subject.get("name"), subject.get("kind")
    if not name:
        yield required(f"{at}.name", "name the subject")
    if kind == "ServiceAccount":
        if name:
            for detail in v.dns1123_subdomain(str(name)):
                yield invalid(f"{at}.name", name, detail, "name an existing ServiceAccount")
        if subject.get("apiGroup"):
            yield unsupported(f"{at}.apiGroup", subject["apiGroup"], ("",), 'ServiceAccount subjects use apiGroup ""')
        if cluster and not subject.get("namespace"):
            yield required(f"{at}.namespace", "set the ServiceAccount's namespace")
    elif kind in ("User", "Group"):
        if subject.get("apiGroup", GROUP) not in (GROUP, ""):
            yield unsupported(f"{at}.apiGroup", subject["apiGroup"], (GROUP,))
    else:
        yield unsupported(f"{at}.kind", kind, ("ServiceAccount", "User", "Group"))
