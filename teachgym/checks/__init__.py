"""Public checkers: does an environment, a teacher or a student keep teachgym's contracts?

In the manner of Gymnasium's ``check_env`` and scikit-learn's ``check_estimator``:
run one on your piece before you use it; it returns ``None`` when the piece keeps
the contract and raises :class:`ContractError` (an ``AssertionError``) naming the
piece, the contract and what was seen otherwise.

- :func:`check_task_env`: tasks are validated, echoed and pinned by ``level_seed``;
  the spaces are the same for every task; Gymnasium's own ``check_env``.
- :func:`check_teacher`: valid tasks, exact save and restore, reported hyperparameters.
- :func:`check_student`: every finished episode reaches the teacher exactly once.
"""

from teachgym.checks.errors import ContractError
from teachgym.checks.students import check_student
from teachgym.checks.task_env import check_task_env
from teachgym.checks.teachers import check_teacher

__all__ = ["ContractError", "check_student", "check_task_env", "check_teacher"]
