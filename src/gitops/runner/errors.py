"""One error type for everything the local runner refuses; the message names the field."""


class RunnerError(Exception):
    """The workflow cannot be run faithfully here, or a reference in it resolves to nothing."""
