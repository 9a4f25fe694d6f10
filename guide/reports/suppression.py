"""Small-count protection as pure functions: no figure may single out a child.

A group of fewer than ``MINIMUM_GROUP`` children (zero included) is shown as "under 5".
Hiding the small groups alone is not enough: when a table shows its total and every
subgroup but one, the hidden one is the total minus the others. ``protect_breakdown``
therefore hides a second cell whenever exactly one subgroup would be hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

#: The smallest group of children a figure may describe.
MINIMUM_GROUP = 5


def is_small(count: int | None) -> bool:
    """True when a group of ``count`` children is too small to show (zero included)."""
    return count is None or count < MINIMUM_GROUP


@dataclass(frozen=True)
class Protection(Generic[K]):
    """Which cells of a breakdown to hide: some subgroups, and perhaps the total."""

    hidden: frozenset[K]
    total_hidden: bool

    def shows(self, key: K) -> bool:
        return key not in self.hidden


def protect_breakdown(counts: Mapping[K, int], total: int | None = None) -> Protection[K]:
    """Hide small subgroups, and a second cell when one hidden subgroup could be worked out.

    ``counts`` are children per subgroup, in display order; ``total`` defaults to their sum
    (pass it when a child can be in several subgroups or in none). When exactly one subgroup
    is hidden and the total is shown, the smallest shown subgroup is hidden as well (the
    first in display order on a tie); with no other subgroup to hide, the total is hidden.
    """
    total = sum(counts.values()) if total is None else total
    hidden = {key for key, count in counts.items() if is_small(count)}
    total_hidden = is_small(total)
    if len(hidden) == 1 and not total_hidden:
        shown = [key for key in counts if key not in hidden]
        if shown:
            hidden.add(min(shown, key=lambda key: counts[key]))  # min keeps the first on a tie
        else:
            total_hidden = True
    return Protection(hidden=frozenset(hidden), total_hidden=total_hidden)


def protect_count(count: int) -> int | None:
    """The count, or None when the group is too small to show."""
    return None if is_small(count) else count


def protect_share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when the part or the rest is a small group.

    Both sides count: "7 of 8 still active" would tell that one child stopped.
    """
    if whole <= 0 or is_small(part) or is_small(whole - part):
        return None
    return part / whole
