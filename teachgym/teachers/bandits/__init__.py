"""Bandit teachers for discrete task sets: TSCL, Exp3.S, DUMP and SEC.

They share one arm mechanism (:mod:`teachgym.teachers.bandits.arms`): the arms are
the points of the categorical and integer parameters of a task space, crossed with
cells of its continuous parameters, or a list of named sub-spaces the user gives.
Each teacher keeps one value per arm, picks an arm, and draws a task uniformly
inside it (:class:`~teachgym.teachers.bandits.base.BanditTeacher`).
"""
