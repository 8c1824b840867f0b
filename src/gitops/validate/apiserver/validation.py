"""The apimachinery validators every kind's validation is built from, with their messages.

Sources: apimachinery pkg/util/validation/validation.go (IsDNS1123Label,
IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue,
IsValidPortName, IsConfigMapKey, IsRelaxedEnvVarName, IsValidPercent) and
pkg/api/validation/path (IsValidPathSegmentName), tag v0.33.0. Each function
returns the details the API server prints after `Invalid value: "<value>": `,
without the trailing "(e.g. ..., regex used for validation is ...)": the
finding's fix says what to write instead. Lengths are UTF-8 bytes, as Go's len().
"""

from __future__ import annotations

import re

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = re.compile(_LABEL)
DNS1123_SUBDOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})*")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
PERCENT = re.compile(r"[0-9]+%")
PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+")

DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character"
)
QUALIFIED_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character"
)


def _len(value: str) -> int:
    return len(value.encode())


def max_len(limit: int) -> str:
    return f"must be no more than {limit} characters"


def dns1123_label(value: str) -> list[str]:
    out = [max_len(63)] if _len(value) > 63 else []
    if not DNS1123_LABEL.fullmatch(value):
        out.append("must not contain dots" if DNS1123_SUBDOMAIN.fullmatch(value) else DNS1123_LABEL_MSG)
    return out


def dns1123_subdomain(value: str) -> list[str]:
    out = [max_len(253)] if _len(value) > 253 else []
    if not DNS1123_SUBDOMAIN.fullmatch(value):
        out.append(DNS1123_SUBDOMAIN_MSG)
    return out


def dns1035_label(value: str) -> list[str]:
    out = [max_len(63)] if _len(value) > 63 else []
    if not DNS1035_LABEL.fullmatch(value):
        out.append(DNS1035_LABEL_MSG)
    return out


def path_segment(value: str) -> list[str]:
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in "/%" if c in value]


def qualified_name(value: str) -> list[str]:
    """A label key, an annotation key (lower-cased first), a finalizer: [prefix/]name."""
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
        out = []
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            out = ["prefix part must be non-empty"]
        else:
            out = [f"prefix part {d}" for d in dns1123_subdomain(prefix)]
    else:
        return [
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character with an optional DNS subdomain prefix and '/'"
        ]
    if not name:
        out.append("name part must be non-empty")
    elif _len(name) > 63:
        out.append("name part must be no more than 63 characters")
    if name and not QUALIFIED_NAME.fullmatch(name):
        out.append(QUALIFIED_NAME_MSG)
    return out


def label_value(value: str) -> list[str]:
    out = [max_len(63)] if _len(value) > 63 else []
    if not LABEL_VALUE.fullmatch(value):
        out.append(LABEL_VALUE_MSG)
    return out


def port_name(value: str) -> list[str]:
    """IANA_SVC_NAME (RFC 6335): container port and named target-port names."""
    out = []
    if _len(value) > 15:
        out.append(max_len(15))
    if not PORT_NAME_CHARS.fullmatch(value):
        out.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if "--" in value:
        out.append("must not contain consecutive hyphens")
    if not re.search(r"[a-z]", value):
        out.append("must contain at least one letter (a-z)")
    if value.startswith("-") or value.endswith("-"):
        out.append("must not begin or end with a hyphen")
    return out


def config_key(value: str) -> list[str]:
    out = [max_len(253)] if _len(value) > 253 else []
    if not CONFIG_KEY.fullmatch(value):
        out.append("a valid config key must consist of alphanumeric characters, '-', '_' or '.'")
    if value == ".":
        out.append("must not be '.'")
    elif value == "..":
        out.append("must not be '..'")
    elif value.startswith(".."):
        out.append("must not start with '..'")
    return out


def relaxed_env_var_name(value: str) -> list[str]:
    """Both 1.33 and 1.37 use the relaxed rule (RelaxedEnvironmentVariableValidation: on from 1.32, GA 1.34)."""
    if all(0x20 <= ord(c) <= 0x7E and c != "=" for c in value):
        return []
    return ["a valid environment variable name must consist only of printable ASCII characters other than '='"]


def port_number(value: int) -> list[str]:
    return [] if 1 <= value <= 65535 else ["must be between 1 and 65535, inclusive"]


def suggest_name(value: str, limit: int = 63, dots: bool = False) -> str:
    """A valid name close to `value`, for a fix hint."""
    allowed = "a-z0-9." if dots else "a-z0-9"
    out = re.sub(rf"[^{allowed}-]+", "-", value.lower()).strip("-.")[:limit].strip("-.")
    return out or "name"
