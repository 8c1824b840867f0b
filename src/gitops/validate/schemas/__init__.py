"""The offline schema store: core kinds from kubernetes-validate, CRDs from the pinned catalog."""
