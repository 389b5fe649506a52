"""Error types: user errors (reported in one line by the CLI) and per-sample errors (counted)."""


class UserError(Exception):
    """Bad input or a missing resource that the user can fix; the message says what and where."""


class SampleError(UserError, ValueError):
    """This sample cannot be evaluated (unreadable media, no voice prompt, ...); the message says why."""
