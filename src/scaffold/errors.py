"""The two kinds of failure the CLI reports, each with its exit code.

Everything the user can get wrong raises one of these with a one-line message; the CLI prints
``svcgen: error: <message>`` on stderr and exits with :attr:`exit_code`, never a traceback.
"""


class SvcgenError(Exception):
    """An operation failed (target exists, rendering failed, no write access): exit 1."""

    exit_code = 1


class UsageError(SvcgenError):
    """What the user asked for is not valid (a bad name, value, key or file): exit 2."""

    exit_code = 2
