"""What an AppProject permits, as Argo CD v3.5.1 decides it at every refresh of an Application.

pkg/apis/application/v1alpha1/app_project_types.go (v3.5.1):
- IsSourcePermitted: the app's repoURL and each `sourceRepos` pattern are
  normalized (util/git/git.go NormalizeGitURL), then matched in list order as
  gobwas globs with `/` as separator (`*` stops at `/`, `**` crosses it); a
  `!pattern` that matches denies at once; the literal `*` matches everything.
- isDestinationMatched: the destination of the RESOLVED cluster (its server and
  its name both) and namespace are matched against each `destinations` entry as
  globs without separators, case-sensitive: (server or name) and namespace; a
  `!` entry that does not match denies.
The in-cluster cluster is `https://kubernetes.default.svc` named `in-cluster`
(application_defaults.go); other clusters come from Argo CD cluster Secrets.
"""

from __future__ import annotations

import re

from gitops.argocd import glob

IN_CLUSTER = ("in-cluster", "https://kubernetes.default.svc")
_SSH = re.compile(r"^(ssh://)?([^/:]*?)@[^@]+$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Go net/url: bytes a path keeps unescaped (shouldEscape, encodePath) and bytes a raw path may hold (validEncoded).
_PATH_PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$&+,/:;=@")
_RAW_VALID = _PATH_PLAIN | set("!'()*[]%")
_HOST_VALID = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\"%")


def normalize_git_url(repo: str) -> str:
    """util/git/git.go NormalizeGitURL: "" when net/url cannot parse the result."""
    repo = repo.strip().lower()
    if _SSH.match(repo) and not repo.startswith("ssh://"):
        repo = "ssh://" + repo.replace(":", "/", 1)
    repo = repo.removesuffix(".git")
    parsed = _go_url_string(repo)
    return "" if parsed is None else parsed.removeprefix("ssh://")


def _go_url_string(text: str) -> str | None:
    """url.Parse(text).String() for the shapes repository URLs take; None for a parse error."""
    rest, scheme = text, ""
    if m := _SCHEME.match(text):
        scheme, rest = m.group(1), text[m.end() :]
    rest, _, fragment = rest.partition("#")
    rest, query_mark, query = rest.partition("?")
    authority = None
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        path = slash + path
        host = authority.rpartition("@")[2]
        port = host.rpartition(":")[2] if ":" in host and not host.endswith("]") else ""
        if any(c not in _HOST_VALID for c in host) or not port.isdigit() and port:
            return None  # "invalid character in host name" / "invalid port"
    else:
        path = rest
    if "%" in path and re.search(r"%(?![0-9a-fA-F]{2})", path):
        return None  # "invalid URL escape"
    out = (f"{scheme}:" if scheme else "") + (f"//{authority}" if authority is not None else "")
    out += _escaped_path(path) + (f"?{query}" if query_mark else "") + (f"#{fragment}" if fragment else "")
    return out


def _escaped_path(path: str) -> str:
    # url.setPath keeps the raw path when it is validly encoded; String() prints it; otherwise it escapes.
    if all(c in _RAW_VALID for c in path):
        return path
    return "".join(c if c in _PATH_PLAIN else "".join(f"%{b:02X}" for b in c.encode()) for c in path)


def _glob(pattern: str, value: str, negation: bool, separators: str = "") -> bool:
    """app_project_types.go globMatch."""
    if negation and pattern.startswith("!"):
        return not glob.match(pattern[1:], value, separators)
    return pattern == "*" or glob.match(pattern, value, separators)


def source_permitted(repo_url: str, source_repos: list[str]) -> bool:
    wanted = normalize_git_url(repo_url)
    matched = False
    for pattern in source_repos:
        if pattern.startswith("!"):
            normalized = "!" + normalize_git_url(pattern[1:])
        else:
            normalized = normalize_git_url(pattern)
        if _glob(normalized, wanted, True, "/"):
            matched = True
        elif normalized.startswith("!"):
            return False
    return matched


def destination_permitted(server: str, name: str, namespace: str, destinations: list[dict]) -> bool:
    """`server` and `name` are the resolved cluster's; `destinations` the project's entries."""
    matched = False
    for item in destinations:
        i_name, i_server, i_ns = (str(item.get(k) or "") for k in ("name", "server", "namespace"))
        name_ok = bool(name) and _glob(i_name, name, True)
        server_ok = bool(server) and _glob(i_server, server, True)
        ns_ok = _glob(i_ns, namespace, True)
        if (server_ok or name_ok) and ns_ok:
            matched = True
        elif (not name_ok and i_name.startswith("!")) or (not server_ok and i_server.startswith("!") and ns_ok):
            return False
        elif not ns_ok and i_ns.startswith("!") and server_ok:
            return False
    return matched
