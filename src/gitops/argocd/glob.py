"""gobwas/glob v0.2.3, the glob library Argo CD v3.5.1 matches AppProject patterns with (util/glob/glob.go).

Syntax (glob.go, syntax/lexer/lexer.go, syntax/ast/parser.go at v0.2.3):
`*` any run of non-separator characters, `**` any run of characters, `?` one
non-separator character, `[abc]` / `[!abc]` one character of (not of) a list,
`[a-z]` / `[!a-z]` one character of (not of) ONE range (a list and a range, or
two ranges, in one bracket do not parse), `{a,b}` alternatives (`,` and `}` are
plain text outside braces; an unclosed `{` keeps the alternatives read so far),
`\\c` the character c. The whole text must match. Argo CD treats a pattern
that does not compile as matching nothing (util/glob/glob.go Match logs and
returns false); `compile` returns None for it.
"""

from __future__ import annotations

import re
from functools import lru_cache


class _Lexer:
    """A pattern read into (kind, text) tokens, as the lexer does."""

    def __init__(self, pattern: str):
        self.text, self.pos, self.depth = pattern, 0, 0

    def tokens(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        while self.pos < len(self.text):
            c = self.text[self.pos]
            self.pos += 1
            if c == "{":
                self.depth += 1
                out.append(("open", c))
            elif c == "," and self.depth:
                out.append(("sep", c))
            elif c == "}" and self.depth:
                self.depth -= 1
                out.append(("close", c))
            elif c == "[":
                out.append(("range", self._range()))
            elif c == "?":
                out.append(("single", c))
            elif c == "*":
                if self.text.startswith("*", self.pos):
                    self.pos += 1
                    out.append(("super", "**"))
                else:
                    out.append(("any", c))
            else:
                self.pos -= 1
                out.append(("text", self._text("?*[{}," if self.depth else "?*[{")))
        return out

    def _text(self, breakers: str) -> str:
        data, escaped = [], False
        while self.pos < len(self.text):
            c = self.text[self.pos]
            self.pos += 1
            if not escaped and c == "\\":
                escaped = True
                continue
            if not escaped and c in breakers:
                self.pos -= 1
                break
            escaped = False
            data.append(c)
        return "".join(data)

    def _range(self) -> str:
        """A bracket as a regex class; raises ValueError where gobwas fails to parse it."""
        negate = self.text.startswith("!", self.pos)
        self.pos += negate
        rest = self.text[self.pos :]
        if len(rest) >= 3 and rest[1] == "-":
            lo, hi = rest[0], rest[2]
            self.pos += 3
            if hi < lo:
                raise ValueError("hi character should be greater than lo")
            body = f"{re.escape(lo)}-{re.escape(hi)}"
        else:
            body = "".join(map(re.escape, self._text("]")))
            if not body:
                raise ValueError("could not parse range")
        if not self.text.startswith("]", self.pos):
            raise ValueError("expected close range character")
        self.pos += 1
        return f"[{'^' if negate else ''}{body}]"


def _regex(tokens: list[tuple[str, str]], separators: str) -> str:
    none_of = f"[^{re.escape(separators)}]" if separators else "."
    out, stack = [], []
    for kind, text in tokens:
        if kind == "text":
            out.append(re.escape(text))
        elif kind == "any":
            out.append(f"{none_of}*")
        elif kind == "super":
            out.append(".*")
        elif kind == "single":
            out.append(none_of)
        elif kind == "range":
            out.append(text)
        elif kind == "open":
            stack.append(len(out))
            out.append("(?:")
        elif kind == "sep":
            out.append("|")
        elif kind == "close":
            stack.pop()
            out.append(")")
    return "".join(out) + ")" * len(stack)


@lru_cache(maxsize=512)
def compile(pattern: str, separators: str = "") -> re.Pattern | None:  # noqa: A001 - gobwas' own name
    """The pattern as a full-match regex, or None when gobwas cannot compile it."""
    try:
        return re.compile(_regex(_Lexer(pattern).tokens(), separators), re.DOTALL)
    except (ValueError, re.error):
        return None


def match(pattern: str, text: str, separators: str = "") -> bool:
    """util/glob/glob.go Match: False for a pattern that does not compile."""
    compiled = compile(pattern, separators)
    return compiled is not None and compiled.fullmatch(text) is not None
