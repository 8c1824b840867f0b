"""What the Argo Workflows controller (v4.0.6, the pinned release) does with a workflow spec.

One implementation for the validator's rules and the local runner, each module
citing the controller source it follows.
"""
