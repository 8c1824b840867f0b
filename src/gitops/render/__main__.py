"""`python -m gitops.render DIR` (make render): one kustomization's manifests, as Argo CD builds them.

Only the YAML goes to stdout, so it pipes into `kubectl apply -f -`; a failed or
warning build prints one line to stderr and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gitops.core.kustomize import RenderError, build


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m gitops.render <kustomization-dir>", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(build(Path(args[0])).text)
    except RenderError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
