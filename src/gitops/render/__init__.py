"""`python -m gitops.render`: print one kustomization's render (the build itself is core.kustomize)."""
