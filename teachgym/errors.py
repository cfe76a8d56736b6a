"""Errors that mean the user made a mistake (bad name, bad parameter, bad file)."""


class TeachgymUsageError(ValueError):
    """A user mistake (unknown name, bad argument, corrupted file), printed as one line by the CLI.

    It subclasses ``ValueError`` so callers catching ``ValueError`` keep working.
    """
