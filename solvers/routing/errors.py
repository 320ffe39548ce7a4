"""Errors of the routing numerics: one-line messages for bad input files and infeasible solutions."""

from __future__ import annotations


class InstanceFormatError(ValueError):
    """A file or array that does not describe a valid routing instance (message names the file and the fault)."""


class InfeasibleSolution(ValueError):
    """A solution that is malformed or breaks a constraint of its instance (message says which, in one line)."""
