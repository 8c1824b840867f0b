"""python -m gitops.validate: see cli.py."""

from gitops.validate.cli import main

raise SystemExit(main())
