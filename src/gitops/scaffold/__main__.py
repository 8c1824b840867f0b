"""python -m gitops.scaffold: see cli.py."""

from gitops.scaffold.cli import main

raise SystemExit(main())
