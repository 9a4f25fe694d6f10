"""Small-count protection and the percentile method, as pure functions."""

from __future__ import annotations

import pytest

from guide.reports.percentiles import percentile
from guide.reports.suppression import (
    is_small,
    protect_breakdown,
    protect_count,
    protect_share,
)


@pytest.mark.parametrize(("count", "small"), [(0, True), (1, True), (4, True), (5, False)])
def test_groups_under_five_children_are_small_zero_included(count, small):
    assert is_small(count) is small
    assert protect_count(count) == (None if small else count)


def test_breakdown_without_small_groups_shows_everything():
    protection = protect_breakdown({"a": 5, "b": 9, "c": 12})
    assert protection.hidden == frozenset()
    assert not protection.total_hidden


def test_two_small_groups_need_no_second_suppression():
    protection = protect_breakdown({"a": 3, "b": 2, "c": 12})
    assert protection.hidden == {"a", "b"}
    assert not protection.total_hidden


def test_difference_attack_one_small_group_hides_the_next_smallest_too():
    # Total 31 and every group but "d": 31 − 8 − 6 − 7 − 8 would reveal d = 2.
    protection = protect_breakdown({"a": 8, "b": 6, "c": 7, "d": 2, "e": 8})
    assert protection.hidden == {"d", "b"}
    assert not protection.total_hidden


def test_difference_attack_tie_takes_the_first_in_display_order():
    protection = protect_breakdown({"a": 9, "b": 6, "c": 6, "d": 1})
    assert protection.hidden == {"b", "d"}


def test_difference_attack_with_a_single_group_hides_the_total():
    protection = protect_breakdown({"only": 3}, total=20)
    assert protection.hidden == {"only"}
    assert protection.total_hidden


def test_a_small_total_hides_every_group():
    protection = protect_breakdown({"a": 2, "b": 1})
    assert protection.hidden == {"a", "b"}
    assert protection.total_hidden


def test_an_explicit_total_is_protected_on_its_own_count():
    # Children can sit in several groups: the distinct total is given, not summed.
    protection = protect_breakdown({"music": 6, "sport": 7}, total=12)
    assert protection.hidden == frozenset()
    assert not protection.total_hidden


def test_after_protection_no_hidden_group_can_be_worked_out_from_the_total():
    counts = {"a": 11, "b": 4, "c": 5, "d": 30}
    protection = protect_breakdown(counts)
    assert len(protection.hidden) >= 2
    visible = sum(count for key, count in counts.items() if protection.shows(key))
    remainder = sum(counts.values()) - visible
    assert remainder == sum(counts[key] for key in protection.hidden)
    assert all(counts[key] != remainder for key in protection.hidden)


def test_share_needs_both_the_part_and_the_rest_to_be_five_or_more():
    assert protect_share(6, 11) == pytest.approx(6 / 11)
    assert protect_share(4, 11) is None  # four children kept going
    assert protect_share(7, 9) is None  # two children stopped
    assert protect_share(8, 8) is None  # nobody stopped: zero is a small group too
    assert protect_share(0, 0) is None


def test_percentile_interpolates_linearly_like_percentile_cont():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert percentile(values, 0.5) == 5.5
    assert percentile(values, 0.75) == 7.75
    assert percentile([3, 3, 4, 10, 12, 20, 30], 0.75) == 16.0
    assert percentile([20, 30, 40, 50, 60, 90], 0.75) == 57.5


def test_percentile_edges():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.75) == 7.0
    assert percentile([2, 4], 0.0) == 2.0
    assert percentile([2, 4], 1.0) == 4.0
    with pytest.raises(ValueError):
        percentile([1, 2], 1.5)
