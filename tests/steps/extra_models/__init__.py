"""Model specs that live outside the package, selected with MODEL_SPEC=extra_models.<name>."""
