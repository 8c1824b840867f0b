"""The string formats the API server asserts, as jsonschema-rs format checkers.

Custom resources: apiextensions-apiserver pkg/apiserver/validation/formats.go
lists the formats a CRD schema may assert (others are dropped, so never
checked); of those the pinned CRDs use `byte` and `date-time`. Core kinds: the
decoder refuses a metav1.Time that is not RFC 3339 and a []byte that is not
base64, which kubernetes-validate's schemas mark with the same two formats.
The checkers get our own names (k8s-...) so no library default ever applies.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re

# formats.go, normalised as go-openapi does (dashes removed); "quantity" since 1.0, the k8s-*-name ones since 1.34.
_API_SERVER_ASSERTS = frozenset(
    f.replace("-", "")
    for f in (
        "bsonobjectid uri email hostname ipv4 ipv6 cidr mac uuid uuid3 uuid4 uuid5 isbn isbn10 isbn13 creditcard "
        "ssn hexcolor rgbcolor byte password date duration datetime quantity k8s-short-name k8s-long-name"
    ).split()
)
# RFC 3339 date-time: full-date "T" full-time with a required offset (kube-openapi strfmt, Go time.RFC3339).
_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def _date_time(value: str) -> bool:
    match = _DATE_TIME.fullmatch(value)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        datetime.datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    offset = match.group(8)
    return offset in "Zz" or (int(offset[1:3]) < 24 and int(offset[4:6]) < 60)


def _byte(value: str) -> bool:
    # Go's base64.StdEncoding skips \r and \n; everything else must be canonical, padded base64.
    try:
        base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


CHECKERS = {"k8s-date-time": _date_time, "k8s-byte": _byte}
_BY_SCHEMA_NAME = {"date-time": "k8s-date-time", "datetime": "k8s-date-time", "byte": "k8s-byte"}


def asserted_name(fmt: str) -> str | None:
    """Our checker's name for a schema's format, or None when we have none."""
    return _BY_SCHEMA_NAME.get(fmt)


def api_server_asserts(fmt: str) -> bool:
    return fmt.replace("-", "") in _API_SERVER_ASSERTS
