"""Pack 26 circles in the unit square, maximising the sum of their radii.

Centres come from a parametrised constructive layout: staggered rows of circles plus one
extra circle; radii are then the largest the centres allow under a simple shrink-and-grow
scheme. Best known sum of radii for 26 circles: about 2.635.
"""

import math

N = 26

# Layout: ROWS rows of circles; the first ROWS - 1 have WIDE circles, the last one the rest
# (minus the extra circle).
ROWS = 5
WIDE = 5
MARGIN_X = 0.15          # distance from the left/right walls to the outer centres
MARGIN_Y = 0.15          # distance from the bottom/top walls to the outer rows
STAGGER = 0.05           # horizontal shift of every other row
ROW_SQUEEZE = 1.0        # < 1 pulls the rows towards the middle
EXTRA_X = 0.5            # where the 26th circle goes
EXTRA_Y = 0.5

# Radii: rounds of pairwise shrinking, then rounds of growing into free space.
SHRINK_ROUNDS = 1
GROW_ROUNDS = 1


def centres():
    pts = []
    rows = ROWS
    for k in range(rows):
        count = WIDE if k < rows - 1 else N - 1 - WIDE * (rows - 1)
        t = k / (rows - 1) - 0.5
        y = 0.5 + t * (1 - 2 * MARGIN_Y) * ROW_SQUEEZE
        shift = STAGGER if k % 2 else 0.0
        for j in range(count):
            s = j / (count - 1) if count > 1 else 0.5
            x = MARGIN_X + s * (1 - 2 * MARGIN_X) + shift
            pts.append((min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)))
    pts.append((EXTRA_X, EXTRA_Y))
    return pts


def radii(pts):
    n = len(pts)
    r = [min(x, y, 1 - x, 1 - y) for x, y in pts]
    for _ in range(SHRINK_ROUNDS):
        for i in range(n):
            for j in range(i + 1, n):
                d = math.dist(pts[i], pts[j])
                if r[i] + r[j] > d:
                    scale = d / (r[i] + r[j])
                    r[i] *= scale
                    r[j] *= scale
    for _ in range(GROW_ROUNDS):
        for i in range(n):
            x, y = pts[i]
            room = min(x, y, 1 - x, 1 - y)
            for j in range(n):
                if j != i:
                    room = min(room, math.dist(pts[i], pts[j]) - r[j])
            r[i] = max(r[i], room)
    return r


def pack():
    """Return a list of N (x, y, r) tuples."""
    pts = centres()
    return [(x, y, rad) for (x, y), rad in zip(pts, radii(pts))]


if __name__ == "__main__":
    circles = pack()
    print(f"{len(circles)} circles, sum of radii {sum(c[2] for c in circles):.4f}")
