"""Errors that mean the user made a mistake (bad name, bad parameter, bad file)."""


class TeachgymUsageError(ValueError):
    """A user mistake (unknown name, bad argument, corrupted file), printed as one line by the CLI.

    It subclasses ``ValueError`` so callers catching ``ValueError`` keep working.
    """


class UnknownParameterError(TeachgymUsageError):
    """A keyword argument a teacher, student or algorithm does not take.

    Attributes:
        parameter: the name that was given.
    """

    def __init__(self, message: str, parameter: str = "") -> None:
        super().__init__(message)
        self.parameter = parameter
