"""Errors that tell the user what to fix."""


class EvokdError(Exception):
    """Base class for evokd-spacy errors."""


class DataError(EvokdError):
    """Bad or missing data: the message names the file and the config key."""


class ConfigError(EvokdError):
    """Bad configuration: the message names the key."""


class TeacherUnavailable(EvokdError):
    """The teacher could not be reached or loaded; the run's state is saved."""


class BudgetExhausted(EvokdError):
    """The run's teacher budget is spent; everything so far is saved and the run can continue."""
