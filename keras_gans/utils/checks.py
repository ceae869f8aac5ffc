"""Argument checks shared by layers and models."""


def checked_integer(value, name, least):
    """`value` if it is an integer (not a bool) >= `least`, else a ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
    return value
