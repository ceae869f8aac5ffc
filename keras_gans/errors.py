"""Errors a user can fix: the CLI prints their message on one line and exits non-zero."""


class UserError(ValueError):
    """Bad input (unknown recipe or key, wrong data shape, missing run folder): the message names the fix."""


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; training stopped and the last finite checkpoint was kept."""
