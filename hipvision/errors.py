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


class Interrupted(HipvisionError):
    """A signal (Ctrl-C, SIGTERM, SIGHUP) cut the run short; the message says what was saved.

    The exit code is 128 + the signal's number, as a shell reports a process the signal ended.
    """

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + int(signum)
