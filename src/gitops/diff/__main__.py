"""python -m gitops.diff: see cli.py."""

from gitops.diff.cli import main

raise SystemExit(main())
