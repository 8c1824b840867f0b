"""python -m gitops.promote: see cli.py."""

from gitops.promote.cli import main

raise SystemExit(main())
