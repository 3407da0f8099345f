"""Exceptions and warnings raised by custmatch.

Every error derives from :class:`CustmatchError`, so callers can catch one type. The
subclasses also derive from the matching built-in (``ValueError``, ``RuntimeError``), so
code that already catches those keeps working. Messages name the column, the row (record id
or position) and the offending value, truncated, and say what to do.

Example:
    >>> try:
    ...     raise SchemaError("column 'postcode' missing")
    ... except ValueError as exc:
    ...     print(type(exc).__name__, exc)
    SchemaError column 'postcode' missing
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CustmatchError",
    "CustmatchWarning",
    "InputError",
    "ModelError",
    "SchemaError",
    "show_value",
]


class CustmatchError(Exception):
    """Root of every error custmatch raises on purpose."""


class SchemaError(CustmatchError, ValueError):
    """A frame has the wrong shape: missing or duplicate columns, bad or duplicate record ids."""


class InputError(CustmatchError, ValueError):
    """A value or argument is unusable: negative counts, unknown ids, disallowed empty frames."""


class ModelError(CustmatchError, RuntimeError):
    """A model is not fitted, cannot be loaded, or training broke down."""


class ConfigError(CustmatchError, ValueError):
    """A declaration (comparison, blocking rule, survivorship rule, setting) is invalid."""


class CustmatchWarning(UserWarning):
    """A degraded but valid situation, e.g. a comparison level never observed in training."""


def show_value(value: object, limit: int = 40) -> str:
    """Render a value for an error message: ``repr``, truncated to ``limit`` characters.

    Example:
        >>> show_value("Kerkstraat 12a, 1234 AB Amsterdam", limit=12)
        "'Kerkstraat…"
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_values(values: object, limit: int = 40) -> str:
    """Render several values for an error message, each as :func:`show_value`.

    Example:
        >>> show_values(["1", 2])
        "['1', 2]"
    """
    return "[" + ", ".join(show_value(v, limit) for v in values) + "]"  # type: ignore[attr-defined]
