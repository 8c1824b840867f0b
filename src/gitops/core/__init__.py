"""What every command shares: rendered documents and findings, YAML parsing, kustomize, renders, git, environments."""
