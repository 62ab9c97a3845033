#ifndef CSCAN_H
#define CSCAN_H

#include <stddef.h>
#include <stdint.h>

/// What this processor runs `cscan_candidates` with: 2 for AVX2, 1 for SSSE3 (x86-64), 0 for neither, where it finds
/// nothing and moves no position.
int cscan_level(void);

/// The prefilter of Crucible's literal scanner, sixteen positions at a time (the "Teddy" algorithm): writes to `out`
/// every position p from `*from` on whose three bytes, each folded with `| 0x20`, may start a literal of some bucket.
///
/// `masks` holds twelve tables of sixteen bytes, six for buckets 0-7 and six for buckets 8-15: in each six, for byte j
/// of a position (j = 0, 1, 2), the buckets (bit k: the six's bucket k) whose literals have byte j's low nibble x
/// (table 2j, entry x) and its high nibble (table 2j + 1). A position is a candidate when some bucket has all six.
/// Every position where a literal occurs is one; a few more are too.
///
/// Stops when fewer than 18 bytes remain from the next block, or when `out` has room for fewer than 16 more; sets
/// `*from` to the first position not looked at and returns how many positions it wrote.
/// `use`: the highest level to use (``cscan_level`` at most), so that tests can compare them.
size_t cscan_candidates(int use, const uint8_t *text, size_t count, size_t *from, const uint8_t *masks, uint32_t *out,
                        size_t capacity);

/// How many of the `count` bytes at `text` equal `byte`: sixteen at a time where the processor has SSE2 (every x86-64),
/// so that the line number of a finding at the end of a long text costs a fraction of a byte's instruction each.
size_t cscan_count_byte(const uint8_t *text, size_t count, uint8_t byte);

#endif
