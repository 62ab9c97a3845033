import unittest

import intervals


class MergeTests(unittest.TestCase):
    def test_disjoint_intervals_are_sorted(self):
        self.assertEqual(intervals.merge([(5, 6), (1, 2)]), [(1, 2), (5, 6)])

    def test_overlapping_intervals_coalesce(self):
        self.assertEqual(intervals.merge([(1, 4), (2, 6), (8, 9)]), [(1, 6), (8, 9)])

    def test_nested_interval_is_absorbed(self):
        self.assertEqual(intervals.merge([(1, 10), (2, 3)]), [(1, 10)])

    def test_touching_intervals_coalesce(self):
        self.assertEqual(intervals.merge([(1, 3), (3, 5)]), [(1, 5)])

    def test_chain_of_back_to_back_meetings(self):
        meetings = [(9, 10), (10, 11), (11, 12), (14, 15)]
        self.assertEqual(intervals.merge(meetings), [(9, 12), (14, 15)])

    def test_merge_of_merged_schedule_is_stable(self):
        merged = intervals.merge([(6, 8), (0, 2), (5, 6), (2, 4)])
        self.assertEqual(merged, [(0, 4), (5, 8)])
        self.assertEqual(intervals.merge(merged), merged)

    def test_empty_intervals_are_dropped(self):
        self.assertEqual(intervals.merge([(2, 2), (4, 7), (7, 7)]), [(4, 7)])

    def test_reversed_interval_is_rejected(self):
        with self.assertRaises(ValueError):
            intervals.merge([(3, 1)])


class MeasureTests(unittest.TestCase):
    def test_total_length_counts_overlap_once(self):
        self.assertEqual(intervals.total_length([(0, 4), (2, 6), (10, 11)]), 7)

    def test_contains_respects_half_open_end(self):
        busy = [(1, 3), (5, 8)]
        self.assertTrue(intervals.contains(busy, 1))
        self.assertTrue(intervals.contains(busy, 7.5))
        self.assertFalse(intervals.contains(busy, 3))
        self.assertFalse(intervals.contains(busy, 0))

    def test_contains_across_touching_intervals(self):
        self.assertTrue(intervals.contains([(3, 5), (1, 3)], 3))


class IntersectTests(unittest.TestCase):
    def test_partial_overlap(self):
        self.assertEqual(intervals.intersect([(0, 5)], [(3, 8)]), [(3, 5)])

    def test_no_overlap(self):
        self.assertEqual(intervals.intersect([(0, 2)], [(4, 6)]), [])

    def test_two_calendars(self):
        alice = [(9, 11), (13, 15), (16, 18)]
        bob = [(10, 14), (17, 19)]
        self.assertEqual(intervals.intersect(alice, bob), [(10, 11), (13, 14), (17, 18)])

    def test_intersection_is_symmetric(self):
        a, b = [(1, 4), (6, 9)], [(3, 7)]
        self.assertEqual(intervals.intersect(a, b), [(3, 4), (6, 7)])
        self.assertEqual(intervals.intersect(b, a), [(3, 4), (6, 7)])

    def test_interval_inside_another(self):
        self.assertEqual(intervals.intersect([(2, 4)], [(0, 10)]), [(2, 4)])


class GapTests(unittest.TestCase):
    def test_no_busy_time_leaves_whole_window(self):
        self.assertEqual(intervals.gaps([], 9, 17), [(9, 17)])

    def test_single_meeting(self):
        self.assertEqual(intervals.gaps([(12, 13)], 9, 17), [(9, 12), (13, 17)])

    def test_gap_between_two_meetings(self):
        self.assertEqual(intervals.gaps([(9, 10), (11, 12)], 9, 12), [(10, 11)])

    def test_busy_time_is_clipped_to_window(self):
        busy = [(7, 10), (11, 13), (15, 20)]
        self.assertEqual(intervals.gaps(busy, 9, 17), [(10, 11), (13, 15)])

    def test_first_fit_finds_earliest_slot(self):
        busy = [(9, 10), (10.5, 12), (13, 17)]
        self.assertEqual(intervals.first_fit(busy, 9, 17, 0.5), 10)

    def test_first_fit_skips_short_gaps(self):
        busy = [(9, 10), (10.5, 12), (13, 17)]
        self.assertEqual(intervals.first_fit(busy, 9, 17, 1), 12)

    def test_first_fit_when_fully_booked(self):
        self.assertIsNone(intervals.first_fit([(8, 18)], 9, 17, 0.25))

    def test_utilisation(self):
        busy = [(9, 11), (12, 13), (16, 17)]
        self.assertAlmostEqual(intervals.utilisation(busy, 9, 17), 0.5)


if __name__ == "__main__":
    unittest.main()
