"""What Argo CD (v3.5.1, the version the bootstrap docs install) does with the objects in argocd/.

Each module cites the Argo CD source it follows (argoproj/argo-cd at v3.5.1).
"""
