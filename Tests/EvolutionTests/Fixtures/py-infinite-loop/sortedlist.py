"""A list that keeps itself sorted, with binary-search lookups."""


def lower_bound(items, value):
    """Index of the first element >= value (len(items) if there is none)."""
    lo, hi = 0, len(items)
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def upper_bound(items, value):
    """Index of the first element > value (len(items) if there is none)."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] <= value:
            lo = mid + 1
        else:
            hi = mid
    return lo


class SortedList:
    def __init__(self, values=()):
        self._items = sorted(values)

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    def add(self, value):
        self._items.insert(upper_bound(self._items, value), value)

    def __contains__(self, value):
        i = lower_bound(self._items, value)
        return i < len(self._items) and self._items[i] == value

    def index(self, value):
        i = lower_bound(self._items, value)
        if i == len(self._items) or self._items[i] != value:
            raise ValueError(f"{value!r} is not in the list")
        return i

    def count_between(self, low, high):
        """Number of elements x with low <= x < high."""
        return lower_bound(self._items, high) - lower_bound(self._items, low)

    def remove(self, value):
        del self._items[self.index(value)]
