"""Half-open intervals ``[start, end)`` for calendars and resource booking.

An interval is a ``(start, end)`` tuple of numbers with ``start <= end``.
Functions accept any iterable of intervals, in any order, and return new
sorted lists; inputs are never modified.
"""

from bisect import bisect_right


def _checked(interval):
    start, end = interval
    if end < start:
        raise ValueError(f"interval ends before it starts: {interval!r}")
    return (start, end)


def merge(intervals):
    """Sort and coalesce intervals that overlap or touch; empty ones are dropped."""
    items = sorted(_checked(iv) for iv in intervals)
    merged = []
    for start, end in items:
        if start == end:
            continue
        if merged and start < merged[-1][1]:
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def total_length(intervals):
    """Length of the union of the intervals."""
    return sum(end - start for start, end in merge(intervals))


def contains(intervals, point):
    """True if ``point`` lies inside one of the intervals."""
    merged = merge(intervals)
    i = bisect_right(merged, (point, float("inf"))) - 1
    return i >= 0 and merged[i][0] <= point < merged[i][1]


def intersect(first, second):
    """Intervals covered by both lists (e.g. times when two people are busy)."""
    a, b = merge(first), merge(second)
    i = j = 0
    common = []
    while i < len(a) and j < len(b):
        start = min(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            common.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return common


def gaps(intervals, lo, hi):
    """Free sub-intervals of the window ``[lo, hi)`` not covered by any interval."""
    if hi <= lo:
        return []
    busy = [(max(s, lo), min(e, hi)) for s, e in merge(intervals) if s < hi and e > lo]
    if not busy:
        return [(lo, hi)]
    free = []
    if busy[0][0] > lo:
        free.append((lo, busy[0][0]))
    for k in range(1, len(busy) - 1):
        prev_end, next_start = busy[k - 1][1], busy[k][0]
        if prev_end < next_start:
            free.append((prev_end, next_start))
    if busy[-1][1] < hi:
        free.append((busy[-1][1], hi))
    return free


def first_fit(intervals, lo, hi, duration):
    """Earliest start time in ``[lo, hi)`` for a slot of ``duration``, or None."""
    if duration <= 0:
        raise ValueError("duration must be positive")
    for start, end in gaps(intervals, lo, hi):
        if end - start >= duration:
            return start
    return None


def utilisation(intervals, lo, hi):
    """Fraction of the window ``[lo, hi)`` that is busy, between 0 and 1."""
    if hi <= lo:
        raise ValueError("empty window")
    free = sum(end - start for start, end in gaps(intervals, lo, hi))
    return 1 - free / (hi - lo)
