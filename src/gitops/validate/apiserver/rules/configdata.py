"""ConfigMap and Secret keys and sizes.

From pkg/apis/core/validation/validation.go (ValidateConfigMap, ValidateSecret;
keys by IsConfigMapKey; a key in both data and binaryData; at most 1 MiB of data).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from gitops.validate.apiserver import validation as v
from gitops.validate.apiserver.fields import Problem, as_dict, invalid, key_path

ID = "configdata"
DESCRIPTION = "ConfigMap and Secret keys, their overlap and total size"
SOURCE = "pkg/apis/core/validation/validation.go (ValidateConfigMap, ValidateSecret)"
KINDS = ("ConfigMap", "Secret")
MAX_SIZE = 1024 * 1024


def check(kind: str, body: dict) -> Iterator[Problem]:
    fields = ("data", "binaryData") if kind == "ConfigMap" else ("data", "stringData")
    total = 0
    for field in fields:
        for key, value in as_dict(body.get(field)).items():
            for detail in v.config_key(str(key)):
                yield invalid(key_path(field, str(key)), key, detail, "use letters, digits, '-', '_' and '.'")
            total += _size(kind, field, value)
    if kind == "ConfigMap":
        for key in as_dict(body.get("data")):
            if key in as_dict(body.get("binaryData")):
                yield invalid(key_path("data", str(key)), key, "duplicate of key present in binaryData", "keep one")
    if total > MAX_SIZE:
        path = "" if kind == "ConfigMap" else "data"
        yield Problem(path, f"Too long: may not be more than {MAX_SIZE} bytes", "move large data out of the object")


def _size(kind: str, field: str, value: object) -> int:
    text = "" if value is None else str(value)
    if kind == "Secret" and field == "data" or field == "binaryData":
        try:
            return len(base64.b64decode(text, validate=False))
        except (binascii.Error, ValueError):
            return len(text)
    return len(text.encode())
