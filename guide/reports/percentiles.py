"""The percentile method every figure uses, on every database: linear interpolation.

It is PostgreSQL's ``percentile_cont``: for n sorted values the p-th percentile lies at
position p·(n−1) (counting from 0), between the two values around it in proportion. On
SQLite the same numbers come from this function over an ordered list of day counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` (0–1) percentile of already sorted values; None when there are none."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must lie between 0 and 1")
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    low, high = float(sorted_values[lower]), float(sorted_values[upper])
    return low + (high - low) * (position - lower)
