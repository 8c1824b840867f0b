"""The API server's checks, one module per concern (see ../registry.py for what a module has)."""
