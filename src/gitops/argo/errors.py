"""The one error the Argo-semantics parsers raise: what failed to parse, where, and why."""

from __future__ import annotations


class ParseError(ValueError):
    """`text` does not parse; `position` is the 0-based offset of the problem (None when it has none).

    str() is `message`, the text Argo itself reports where it has one (so a caller can show it as is).
    """

    def __init__(self, message: str, text: str = "", position: int | None = None):
        super().__init__(message)
        self.message, self.text, self.position = message, text, position

    def pointer(self) -> str:
        """The text with a caret under the position, for a human reading a validator finding."""
        if self.position is None:
            return self.text
        return f"{self.text}\n{' ' * self.position}^"
