"""Checks at the public boundary, with one error-message template (after scikit-learn's
``_param_validation``): name the parameter and the function, say what is allowed, show
what was received.
"""

from __future__ import annotations

import math
import numbers

from lookalike.errors import ParameterError

__all__ = ["ParameterError", "check_choice", "check_int", "check_real"]


def _fail(name: str, where: str, allowed: str, value: object) -> ParameterError:
    return ParameterError(name, where, allowed, value)


def _interval(low: float | None, high: float | None, closed: str) -> str:
    left = "[" if closed in ("both", "left") and low is not None else "("
    right = "]" if closed in ("both", "right") and high is not None else ")"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_int(
    value: object, name: str, where: str, *, low: int | None = None, high: int | None = None
) -> int:
    """Return ``value`` as an int in ``[low, high]`` or raise the template ValueError.

    >>> check_int(3, "k", "f", low=1)
    3
    >>> check_int(0, "k", "Collection.neighbors", low=1)
    Traceback (most recent call last):
    ...
    lookalike.errors.ParameterError: The 'k' parameter of Collection.neighbors must be an int in the range [1, inf). Got 0 instead.
    """  # noqa: E501
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok and (low is None or value >= low) and (high is None or value <= high):
        return int(value)
    raise _fail(name, where, f"an int in the range {_interval(low, high, 'both')}", value)


def check_real(
    value: object,
    name: str,
    where: str,
    *,
    low: float | None = None,
    high: float | None = None,
    closed: str = "both",
) -> float:
    """Return ``value`` as a float in the interval or raise the template ValueError.

    >>> check_real(1, "threshold", "f", low=-1, high=1)
    1.0
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and not math.isnan(value):
        v = float(value)
        lo_ok = low is None or (v >= low if closed in ("both", "left") else v > low)
        hi_ok = high is None or (v <= high if closed in ("both", "right") else v < high)
        if lo_ok and hi_ok:
            return v
    raise _fail(name, where, f"a float in the range {_interval(low, high, closed)}", value)


def check_choice(value: object, name: str, where: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``.

    >>> check_choice("pca", "method", "f", ("pca", "umap"))
    'pca'
    """
    if isinstance(value, str) and value in choices:
        return value
    allowed = "one of " + ", ".join(repr(c) for c in choices)
    raise _fail(name, where, allowed, value)
