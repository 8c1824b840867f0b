"""The promotion gate: promote only what the source environment was seen serving, according to the registry.

The pin's `validationPassed` is a line in a file anyone can edit; the registry
alias of the source environment is moved only by that environment's PostSync
check (mlpipeline.mark_deployed), after the pinned model answered a probe, and
the check leaves its figures on the version (mlpipeline.audit). So the gate
asks the registry: is the source alias at the pinned version, with its probe
figures, and is the pinned storage URI that version's? A rollback (--from-ref)
promotes a version the source served once, so it needs the figures only.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mlpipeline import audit, contentkey, verdict
from mlpipeline.config import ENV_ALIAS
from mlpipeline.pin import Pin
from mlpipeline.registry import does_not_exist

FORCE = 'to promote without the gate, add --force --reason "<why>"'
THRESHOLDS = ("accuracy_floor", "f1_floor", "champion_tolerance", "champion_version")


class GateError(Exception):
    """The gate refuses; the message names the registry or file, what it found, and the fix."""

    exit_code = 1


class RegistryError(GateError):
    """The registry answered with an error other than "does not exist" (credentials, a proxy, a bad value):
    not a fact about the version, so it is never read as "no such version". Exit 2: only a person fixes it."""

    exit_code = 2


@contextmanager
def _answers(uri: str, what: str):
    """Around one registry read: any MLflow error it raises becomes a RegistryError naming the registry."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as err:
        from mlpipeline import failures

        known = failures.explain(err)  # the HTTP status and the server's words, out of the client's wrapping
        cause = known.what if known else f"{err.error_code}: {(str(err).strip().splitlines() or [''])[0][:300]}"
        fix = (
            known.fix  # a host name the server refuses: no credentials change that
            if known is not None and known.fix == failures.HOSTS_FIX
            else "check that --tracking-uri (MLFLOW_TRACKING_URI) names the pipeline's registry and that promote "
            "runs with its credentials (MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or "
            "MLFLOW_TRACKING_TOKEN); the server's log says why it answered so"
        )
        raise RegistryError(f"MLflow {uri}: reading {what} failed: {cause} (fix: {fix})") from None


@dataclass(frozen=True)
class Facts:
    """What the registry knows about one version: the PR body's comparison and the audit read these."""

    name: str
    version: str
    semver: str
    run_id: str
    experiment_id: str
    trained_at: str
    accuracy: str
    f1_macro: str
    validation_passed: str
    thresholds: dict[str, str]  # as the validation run logged them; empty for versions validated before that
    data_sha256: str
    seen: dict[str, dict[str, str]] = field(default_factory=dict)  # environment -> its deployed.<env>.* tags
    aliases: tuple[str, ...] = ()


class Registry:
    """Read-only access to the MLflow registry the pipeline writes, for promote."""

    def __init__(self, tracking_uri: str):
        self.uri = tracking_uri
        self._client = None

    def client(self):
        if self._client is None:
            self._client = _connect(self.uri)
        return self._client

    def facts(self, name: str, version: str) -> Facts | None:
        from mlflow.exceptions import MlflowException

        client = self.client()
        with _answers(self.uri, f"{name} version {version}"):
            try:
                mv = client.get_model_version(name, version)
            except MlflowException as err:
                if does_not_exist(err):
                    return None
                raise
            run = client.get_run(mv.run_id)
            tags = mv.tags
            thresholds: dict[str, str] = {}
            if tags.get(verdict.RUN):
                params = client.get_run(tags[verdict.RUN]).data.params
                thresholds = {key: params[key] for key in THRESHOLDS if key in params}
        seen: dict[str, dict[str, str]] = {}
        for key, value in tags.items():
            prefix, _, rest = key.partition(".")
            environment, _, name_of = rest.partition(".")
            if prefix == audit.PREFIX and name_of:
                seen.setdefault(environment, {})[name_of] = value
        return Facts(
            name=name,
            version=str(mv.version),
            semver=tags.get("semver", ""),
            run_id=mv.run_id,
            experiment_id=run.info.experiment_id,
            trained_at=datetime.fromtimestamp(run.info.start_time / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            accuracy=tags.get("accuracy", ""),
            f1_macro=tags.get("f1_macro", ""),
            validation_passed=tags.get(verdict.PASSED, ""),
            thresholds=thresholds,
            data_sha256=tags.get(contentkey.PART_TAGS[0], ""),
            seen=seen,
            aliases=tuple(mv.aliases),
        )

    def alias_version(self, name: str, alias: str) -> str | None:
        from mlflow.exceptions import MlflowException

        with _answers(self.uri, f"alias {alias} of {name}"):
            try:
                return str(self.client().get_model_version_by_alias(name, alias).version)
            except MlflowException as err:
                if does_not_exist(err, alias=True):
                    return None
                raise

    def download_uri(self, name: str, version: str) -> str:
        with _answers(self.uri, f"{name} version {version}'s artifact location"):
            return self.client().get_model_version_download_uri(name, version)


def _connect(uri: str):
    from mlpipeline import registry
    from mlpipeline.errors import StepError, UsageError

    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_file():
        # MLflow would create an empty database there and the gate would find nothing in it.
        raise GateError(f"MLflow {uri}: no registry database there (fix: run make demo first, or pass --tracking-uri)")
    try:
        return registry.connect(uri)
    except UsageError as err:  # a URI MLflow cannot use at all (its scheme, a missing driver): a bad argument
        raise RegistryError(f"{err.input}: {err.what} (fix: {err.fix})") from None
    except StepError as err:
        raise GateError(
            f"MLflow {uri}: {err.what}: the gate reads what the source environment was seen serving "
            f"(fix: set MLFLOW_TRACKING_URI or --tracking-uri to the pipeline's registry; {FORCE})"
        ) from None


def check(registry: Registry, pin: Pin, source: str, pin_file: str, from_history: bool) -> Facts:
    """The pinned version's facts when `source` was seen serving it; GateError naming why not."""
    name, version = pin.modelName, pin.modelVersion
    where = f"MLflow {registry.uri}"
    facts = registry.facts(name, version)
    if facts is None:
        raise GateError(
            f"{where}: {name} has no version {version}, which {pin_file} pins "
            f"(fix: promote a pin the pipeline wrote, and check --tracking-uri names the pipeline's registry)"
        )
    alias = ENV_ALIAS[source]
    check_name = f"{source}'s PostSync check ({name}-mark-deployed)"
    if not from_history:
        at = registry.alias_version(name, alias)
        if at != version:
            found = f"is at version {at}, not {version}" if at else "does not exist"
            raise GateError(
                f"{where}: alias {alias} of {name} {found}: {source} has not been seen serving version {version} "
                f"(fix: wait until {check_name} has verified it after the sync, then promote again)"
            )
    seen = facts.seen.get(source, {})
    if "probe_accuracy" not in seen:
        raise GateError(
            f"{where}: {name} version {version} carries no probe figures for {source} "
            f"({audit.tag(source, 'probe_accuracy')}): no passing {check_name} verified it "
            f"(fix: let {check_name} run against the synced environment, then promote again)"
        )
    registered = registry.download_uri(name, version)
    if registered.rstrip("/") != pin.storageUri.rstrip("/"):
        raise GateError(
            f"{pin_file}: storageUri {pin.storageUri} is not version {version}'s artifact location in the registry "
            f"({registered}) (fix: restore the pin the pipeline wrote: git log -p -- {pin_file})"
        )
    return facts
