"""The error every checker raises when a piece breaks a contract."""


class ContractError(AssertionError):
    """A checked environment, teacher or student breaks a teachgym contract.

    The message names the piece, the contract and what was seen, and says what to change.
    """
