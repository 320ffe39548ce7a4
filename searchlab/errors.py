"""Exceptions that mean "the user asked for something invalid": the CLI prints them on one line, exit 2."""

from __future__ import annotations


class SearchlabError(Exception):
    """Base class for errors caused by input (bad configuration, bad run directory, bad ledger)."""


class ConfigError(SearchlabError):
    """A problem configuration, parameter value or CLI option is invalid."""


class LedgerError(SearchlabError):
    """A ledger file is missing, of an unknown schema, or corrupted (the message names the line)."""


class RunDirError(SearchlabError):
    """A run directory is missing or not a searchlab run."""
