"""Library failures a step cannot prevent, turned into the one line an operator can act on.

MLflow wraps SQLAlchemy, which appends the SQL and a documentation URL; the
HTTP client wraps urllib3's retry chain. The cause is one phrase somewhere in
that text or in the exception chain: this module finds it and says what it
means, where, and what to do. A cause that retrying never heals becomes a
PermanentError (exit 2), so the WorkflowTemplate's retry expression, which
retries exit 1 only, does not spend minutes on it.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from http import HTTPStatus

from mlpipeline.errors import PermanentError, StepError

# The tracking URI the step connected to (registry.connect sets it): what a registry failure names.
tracking_uri = ""

# (phrase in the database's own message, what it means, fix, never heals by retrying)
_DATABASE = (
    (
        "attempt to write a readonly database",
        "the registry database is read-only (attempt to write a readonly database)",
        "make {db} and its directory writable by the user the step runs as, or point MLFLOW_TRACKING_URI at a "
        "writable database",
        True,
    ),
    (
        "unable to open database file",
        "the registry database cannot be opened (unable to open database file)",
        "create the directory of {db} and make it writable, or fix MLFLOW_TRACKING_URI",
        True,
    ),
    (
        "database is locked",
        "the registry database is locked by another writer (database is locked)",
        "retry when the other run has finished: SQLite takes one writer at a time",
        False,
    ),
    (
        "database or disk is full",
        "the disk holding the registry database is full (database or disk is full)",
        "free space on the volume that holds {db}",
        False,
    ),
    (
        "no such table",
        "the registry database has no MLflow tables (no such table)",
        "point MLFLOW_TRACKING_URI at an MLflow database, or upgrade it: mlflow db upgrade {uri}",
        True,
    ),
)

# What urllib3/requests say when the server is gone, and how a person says it.
_CONNECTION = (
    ("Connection refused", "refused the connection"),
    ("Read timed out", "did not answer in time"),
    ("RemoteDisconnected", "closed the connection without answering"),
    ("Connection aborted", "closed the connection without answering"),
    ("Connection reset", "reset the connection"),
    ("Name or service not known", "has a host name that does not resolve"),
)
_ENDPOINT = re.compile(r"API request to (?:endpoint )?\S*?(/api/[\w./-]+)")
_HTTP_STATUS = re.compile(r"failed with error code (\d{3})")
# urllib3's words when every attempt MLflow's client made was answered with a status it retries (500, 503, ...).
_EVERY_ATTEMPT = re.compile(r"too many (\d{3}) error responses")

_DISK = {
    errno.ENOSPC: ("no space left on device", "free space there, or give the step a bigger volume", False),
    errno.EDQUOT: ("disk quota exceeded", "free space there, or raise the quota", False),
    errno.EFBIG: ("file too large for this process's file-size limit", "raise the limit (ulimit -f)", False),
    errno.EROFS: ("read-only file system", "mount it writable, or point the step elsewhere", True),
    errno.EACCES: ("permission denied", "make it writable by the user the step runs as", True),
}


def chain(err: BaseException) -> Iterator[BaseException]:
    """`err` and every exception it was raised from or while handling, once each."""
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = err.__cause__ or err.__context__


def explain(err: BaseException) -> StepError | None:
    """The one-line StepError for a failure from a library; None when the cause is not one we know (a bug)."""
    for found in chain(err):
        if isinstance(found, StepError):
            return found
    text = " ".join(str(e) for e in chain(err))
    return _database(text) or _disk(err) or _refused(err) or _server(text) or _answered(err)


def _where_registry() -> tuple[str, str]:
    """(the input to name, the database file for fixes) for the connected tracking URI."""
    uri = tracking_uri or "MLFLOW_TRACKING_URI"
    db = uri.removeprefix("sqlite:///") if uri.startswith("sqlite:///") else "the MLflow server's database"
    return f"--tracking-uri {uri}", db


def _database(text: str) -> StepError | None:
    for phrase, what, fix, permanent in _DATABASE:
        if phrase in text:
            where, db = _where_registry()
            if not tracking_uri.startswith("sqlite:"):
                what = f"the MLflow server reports: {what}"
            error = PermanentError if permanent else StepError
            return error(where, what, fix.format(db=db, uri=tracking_uri or "<uri>"))
    return None


def _disk(err: BaseException, where: str = "") -> StepError | None:
    for found in chain(err):
        if isinstance(found, OSError) and found.errno in _DISK:
            what, fix, permanent = _DISK[found.errno]
            where = where or found.filename or "the step's working directory (TMPDIR, HOME, --outputs-dir)"
            error = PermanentError if permanent else StepError
            return error(str(where), what, fix)
    return None


def disk(err: OSError, where: str) -> StepError | None:
    """A full, read-only or forbidden volume, named by the input that points at it (`--outputs-dir /tmp/outputs`)."""
    return _disk(err, where)


def _server(text: str) -> StepError | None:
    if "API request to" not in text and "HTTPConnectionPool" not in text and "HTTPSConnectionPool" not in text:
        return None
    endpoint = _ENDPOINT.search(text)
    at = f" at {endpoint.group(1)}" if endpoint else ""
    where, _ = _where_registry()
    for phrase, meaning in _CONNECTION:
        if phrase in text:
            return StepError(
                where,
                f"MLflow tracking server {meaning}{at}",
                "check that the MLflow server is running and MLFLOW_TRACKING_URI names it, then run the step again",
            )
    exhausted = _EVERY_ATTEMPT.search(text)
    if exhausted:
        return _every_attempt_failed(where, int(exhausted.group(1)), at)
    status = _HTTP_STATUS.search(text)
    if status:
        body = text.partition("Response body: ")[2].strip().strip("'\"")[:200]
        return StepError(
            where,
            f"MLflow tracking server answered HTTP {status.group(1)}{at}" + (f": {body}" if body else ""),
            "read the MLflow server's log for the cause, then run the step again",
        )
    return None


# Answers only a person changes: the user the step runs as lacks a permission, or has no valid credentials.
_REFUSED = ("PERMISSION_DENIED", "UNAUTHENTICATED")
_CREDENTIALS_FIX = (
    "give the step's MLflow user permission on the model (READ to read it, EDIT to change it), or set "
    "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) to a user that has it"
)


# MLflow 3's own check of the Host header (mlflow/server/security_utils.py, INVALID_HOST_MSG): a 403 that no
# credentials heal, only a host name the server allows.
_HOST_REFUSED = "Invalid Host header"
HOSTS_FIX = (
    "name the server in --tracking-uri by a host:port it allows (its --allowed-hosts, MLFLOW_SERVER_ALLOWED_HOSTS; "
    "the chart's serverAllowedHosts in argocd/apps/application-mlflow.yaml), or add that one there"
)


def _refused(err: BaseException) -> StepError | None:
    """401 or 403: only a person heals it (exit 2). MLflow's basic-auth app answers both as plain text
    ("Permission denied"; a 401 that links its docs: mlflow/server/auth/__init__.py, make_forbidden_response and
    make_basic_auth_response, 3.17.2), which the client maps to error_code PERMISSION_DENIED / UNAUTHENTICATED
    (mlflow/utils/rest_utils.py verify_rest_response); a JSON answer carries its own code and message."""
    for found in chain(err):
        code = str(getattr(found, "error_code", ""))
        if code not in _REFUSED:
            continue
        where, _ = _where_registry()
        body = getattr(found, "json", None)
        if isinstance(body, dict):
            said = " ".join(str(body.get("message", "")).split())[:200]
        else:
            status, endpoint = _HTTP_STATUS.search(str(found)), _ENDPOINT.search(str(found))
            text = str(found).partition("Response body: ")[2].strip().strip("'\"")
            said = (f"HTTP {status.group(1)}" if status else "") + (f" at {endpoint.group(1)}" if endpoint else "")
            if _HOST_REFUSED in text:
                return PermanentError(
                    where, f"MLflow tracking server refused the Host header ({said}: {text})", HOSTS_FIX
                )
            # A body that sends the reader to a URL says nothing the line does not: keep the status alone.
            said += f": {text[:200]}" if text and "://" not in text else ""
        said = f"{code}: {said}" if said else code
        return PermanentError(where, f"MLflow tracking server refused the request ({said})", _CREDENTIALS_FIX)
    return None


def _answered(err: BaseException) -> StepError | None:
    """An error the MLflow server answered as JSON ({"error_code": ..., "message": ...}): MLflow's client raises
    it as a RestException that keeps the body (`.json`), without the endpoint; a status the client retries
    (503) never gets here, urllib3 gives up on it first (_every_attempt_failed)."""
    for found in chain(err):
        body = getattr(found, "json", None)
        if isinstance(body, dict) and body.get("error_code"):
            code = str(body["error_code"])
            message = " ".join(str(body.get("message", "")).split())[:200]
            said = f"{code}: {message}" if message else code
            where, _ = _where_registry()
            return StepError(
                where,
                f"MLflow tracking server answered {said}",
                "read the MLflow server's log for the cause, then run the step again",
            )
    return None


def _every_attempt_failed(where: str, status: int, at: str) -> StepError:
    """A server that answered a retried status (500, 503) to every attempt. The cause is not in the step:
    urllib3 drains the body of the last answer before it raises, and sending the write again to read the answer
    could make it happen twice. MLflow logs it (`Error in _create_run: ...`), so the line says where to read it.
    Exit 1: a restarted server or a freed database heals it; the workflow's retries may outlast a blip."""
    attempts = int(os.environ.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")) + 1
    try:
        phrase = f" {HTTPStatus(status).phrase}"
    except ValueError:
        phrase = ""
    hint = (
        "MLflow answers 503 when its database fails (read-only, locked or full), a proxy when the server behind it "
        "is down"
        if status == 503
        else f"MLflow answers {status} when a request fails inside the server"
    )
    return StepError(
        where,
        f"MLflow tracking server answered HTTP {status}{phrase} to all {attempts} attempts{at}; {hint}",
        "find the cause in the MLflow server's log (its line 'Error in ...' for that request), fix it, then run the "
        "step again",
    )
