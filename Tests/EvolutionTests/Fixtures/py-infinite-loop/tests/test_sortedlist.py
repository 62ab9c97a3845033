import pytest

from sortedlist import SortedList, lower_bound, upper_bound


def test_constructor_sorts():
    assert list(SortedList([5, 1, 4])) == [1, 4, 5]


def test_len():
    assert len(SortedList([3, 1, 2])) == 3


def test_upper_bound():
    assert upper_bound([1, 2, 2, 3], 2) == 3
    assert upper_bound([1, 2, 2, 3], 0) == 0
    assert upper_bound([], 7) == 0


def test_add_keeps_order():
    s = SortedList([1, 5])
    s.add(3)
    s.add(5)
    assert list(s) == [1, 3, 5, 5]


def test_lower_bound_finds_first_equal():
    assert lower_bound([1, 2, 2, 3], 2) == 1


def test_lower_bound_between_elements():
    assert lower_bound([10, 20, 30], 25) == 2


def test_lower_bound_past_the_end():
    assert lower_bound([10, 20, 30], 99) == 3


def test_lower_bound_empty():
    assert lower_bound([], 1) == 0


def test_contains():
    s = SortedList([2, 4, 6])
    assert 4 in s
    assert 5 not in s


def test_index_and_missing_value():
    s = SortedList(["b", "a", "c"])
    assert s.index("c") == 2
    with pytest.raises(ValueError):
        s.index("z")


def test_count_between():
    s = SortedList([1, 3, 3, 5, 8, 13])
    assert s.count_between(3, 8) == 3


def test_remove():
    s = SortedList([4, 1, 4])
    s.remove(4)
    assert list(s) == [1, 4]
