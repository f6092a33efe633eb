"""Errors a user can act on. The CLI prints their message as one line and exits non-zero."""


class HipvisionError(Exception):
    """Base class: the message is shown to the user as is (no traceback)."""

    exit_code = 2


class InputError(HipvisionError):
    """A file, camera or argument the user gave cannot be used."""


class ModelError(HipvisionError):
    """The pose model is missing, corrupt or cannot be loaded."""


class OutputError(HipvisionError):
    """A result could not be written."""
