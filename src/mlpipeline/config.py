"""Flags with environment defaults.

Every flag falls back to an environment variable so the WorkflowTemplate can
feed the ConfigMap `pipeline-config` in with envFrom and pass only what
differs per run as arguments. argparse converts string defaults with the
flag's type, so a bad ConfigMap value fails exactly like a bad flag.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, NoReturn

from mlpipeline.errors import EXIT_USAGE

# The environment's registry alias that mark_deployed moves (DESIGN: one alias
# per environment). prod's is `production`, the name MLflow users expect.
ENV_ALIAS = {"dev": "dev", "staging": "staging", "prod": "production"}


class StepParser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2, like every other failure."""

    def __init__(self, step: str, description: str):
        super().__init__(prog=f"python -m mlpipeline.{step}", description=description)
        self.step = step
        self._env_of: dict[str, str] = {}
        self.add_argument(
            "--outputs-dir",
            default="/tmp/outputs",
            help="output parameters are written here, one file each, plus summary.json",
        )

    def flag(
        self,
        name: str,
        env: str | None = None,
        *,
        type: Callable[[str], Any] = str,
        default: Any = None,
        help: str = "",
        **kw: Any,
    ) -> None:
        """Add `--name`, defaulting to $env (then to `default`)."""
        value = os.environ.get(env, default) if env else default
        if env:
            self._env_of[name] = env
            help = f"{help} [env {env}]".strip()
        self.add_argument(name, type=type, default=value, help=help, **kw)

    def parse(self, argv: list[str] | None = None, required: tuple[str, ...] = ()) -> argparse.Namespace:
        args = self.parse_args(argv)
        for name in required:
            if getattr(args, name.lstrip("-").replace("-", "_")) in (None, ""):
                env = self._env_of.get(name)
                where = f"pass {name} or set {env}" if env else f"pass {name}"
                self.fail(name, "not set", where)
        from mlpipeline.outputs import preflight

        preflight(args.outputs_dir)  # before anything is changed: outputs are written last
        return args

    def fail(self, input: str, what: str, fix: str) -> NoReturn:
        print(f"{self.step}: {input}: {what} (fix: {fix})", file=sys.stderr)
        sys.exit(EXIT_USAGE)

    def error(self, message: str) -> NoReturn:  # argparse calls this for any bad flag
        input, _, what = message.partition(": ")
        if not what:
            input, what = "arguments", message
        input = input.removeprefix("argument ").split("/")[0]
        self.fail(input, what, f"see python -m mlpipeline.{self.step} --help")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def open_fraction(text: str) -> float:
    value = float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be strictly between 0 and 1, got {text}")
    return value


def non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no", ""):
        return False
    raise argparse.ArgumentTypeError(f"must be true or false, got {text}")


def add_registry_flags(p: StepParser) -> None:
    """The flags every step that talks to MLflow shares."""
    p.flag("--tracking-uri", "MLFLOW_TRACKING_URI", help="MLflow tracking server")
    p.flag("--model-name", "MODEL_NAME", help="registered model name")
    p.flag(
        "--model-spec",
        "MODEL_SPEC",
        default="iris",
        help="model module: a name under mlpipeline.models or a dotted module path",
    )
    p.flag("--environment", "ENVIRONMENT", default="dev", help="dev, staging or prod")


def add_push_flags(p: StepParser) -> None:
    p.flag("--pushgateway-url", "PUSHGATEWAY_URL", help="Prometheus Pushgateway, host:port or URL")
    p.flag(
        "--push-optional",
        "PUSH_OPTIONAL",
        type=boolean,
        default="false",
        help="a failed push is a warning, not an error (local runs without a Pushgateway)",
    )
