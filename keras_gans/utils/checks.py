"""Argument checks shared by layers and models."""


def checked_integer(value, name, least):
    """`value` if it is an integer (not a bool) >= `least`, else a ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
    return value


def checked_bool(value, name):
    """`value` if it is True or False (a recipe's `maybe` or `1` is refused), else a ValueError."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value
