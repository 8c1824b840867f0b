"""One module per rule; the registry finds them by name (see ../registry.py)."""
