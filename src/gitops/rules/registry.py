"""Every rule, in the order the summary lists them: security, deprecations, references, monitoring."""
from __future__ import annotations

from gitops.rules import (
    appproject_scope,
    argo_sync_singular,
    configmap_secret_keys,
    cronworkflow_schedules,
    default_deny,
    image_pinned,
    pod_security,
    prod_manual_sync,
    rbac_secrets,
    rbac_wildcard,
    resource_limits,
    secret_in_git,
    waiver_reason,
)

RULES = (
    pod_security,
    resource_limits,
    image_pinned,
    secret_in_git,
    configmap_secret_keys,
    rbac_wildcard,
    rbac_secrets,
    default_deny,
    prod_manual_sync,
    appproject_scope,
    cronworkflow_schedules,
    argo_sync_singular,
    waiver_reason,
)
