#include "cscan.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/// 2: AVX2, 1: SSSE3, 0: neither. Worked out once; threads that race to it work out the same answer, and each stores it
/// whole (a relaxed atomic), so none ever reads a half-made one.
static int level(void) {
    static int known = -1;
    int cached = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (cached >= 0) return cached;
    unsigned a = 0, b = 0, c = 0, d = 0;
    int found = 0;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        if (c & bit_SSSE3) found = 1;
        // AVX2 needs the processor's word and the system's: that it saves the wide registers (XCR0 bits 1 and 2).
        if ((c & bit_OSXSAVE) && (c & bit_AVX)) {
            unsigned low = 0, high = 0;
            __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
            if ((low & 6) == 6 && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX2)) found = 2;
        }
    }
    __atomic_store_n(&known, found, __ATOMIC_RELAXED);
    return found;
}

int cscan_level(void) { return level(); }

/// Writes to `out` (from `n` on) position `p` + k for every bit k of `lanes`, lowest first; returns the new count.
static inline size_t emit(unsigned lanes, size_t p, uint32_t *out, size_t n) {
    while (lanes != 0) {
        out[n++] = (uint32_t)(p + (size_t)__builtin_ctz(lanes));
        lanes &= lanes - 1;
    }
    return n;
}

/// The buckets of sixteen positions, 0-7 in the low half and 8-15 in the high half of each 32-byte table (and result).
__attribute__((target("avx2"))) static inline __m256i buckets2(const uint8_t *at, __m256i low, __m256i high) {
    const __m256i nibble = _mm256_set1_epi8(0x0f), fold = _mm256_set1_epi8(0x20);
    __m256i chunk = _mm256_or_si256(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)at)), fold);
    __m256i lows = _mm256_shuffle_epi8(low, _mm256_and_si256(chunk, nibble));
    __m256i highs = _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(chunk, 4), nibble));
    return _mm256_and_si256(lows, highs);
}

__attribute__((target("avx2"))) static size_t candidates_avx2(const uint8_t *text, size_t count, size_t *from, const uint8_t *masks,
                                                               uint32_t *out, size_t capacity) {
    __m256i table[6];
    for (int t = 0; t < 6; t++) {
        __m128i first = _mm_loadu_si128((const __m128i *)(masks + 16 * t));
        __m128i second = _mm_loadu_si128((const __m128i *)(masks + 96 + 16 * t));
        table[t] = _mm256_inserti128_si256(_mm256_castsi128_si256(first), second, 1);
    }
    const __m256i zero = _mm256_setzero_si256();
    size_t p = *from, n = 0;
    while (p + 18 <= count && n + 16 <= capacity) {
        __m256i hit = _mm256_and_si256(_mm256_and_si256(buckets2(text + p, table[0], table[1]), buckets2(text + p + 1, table[2], table[3])),
                                       buckets2(text + p + 2, table[4], table[5]));
        unsigned empty = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hit, zero));
        n = emit(~(empty & (empty >> 16)) & 0xffffu, p, out, n);
        p += 16;
    }
    *from = p;
    return n;
}

/// The buckets of one byte's table pair that hold the bytes of `chunk`, lane by lane.
__attribute__((target("ssse3"))) static inline __m128i buckets(__m128i chunk, __m128i low, __m128i high) {
    const __m128i nibble = _mm_set1_epi8(0x0f);
    __m128i lows = _mm_shuffle_epi8(low, _mm_and_si128(chunk, nibble));
    __m128i highs = _mm_shuffle_epi8(high, _mm_and_si128(_mm_srli_epi16(chunk, 4), nibble));
    return _mm_and_si128(lows, highs);
}

__attribute__((target("ssse3"))) static size_t candidates_ssse3(const uint8_t *text, size_t count, size_t *from, const uint8_t *masks,
                                                           uint32_t *out, size_t capacity) {
    __m128i table[12];
    for (int t = 0; t < 12; t++) table[t] = _mm_loadu_si128((const __m128i *)(masks + 16 * t));
    const __m128i fold = _mm_set1_epi8(0x20), zero = _mm_setzero_si128();
    size_t p = *from, n = 0;
    while (p + 18 <= count && n + 16 <= capacity) {
        __m128i c0 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(text + p)), fold);
        __m128i c1 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(text + p + 1)), fold);
        __m128i c2 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(text + p + 2)), fold);
        // Buckets 0-7 from the first six tables, 8-15 from the other six.
        __m128i low = _mm_and_si128(_mm_and_si128(buckets(c0, table[0], table[1]), buckets(c1, table[2], table[3])),
                                    buckets(c2, table[4], table[5]));
        __m128i high = _mm_and_si128(_mm_and_si128(buckets(c0, table[6], table[7]), buckets(c1, table[8], table[9])),
                                     buckets(c2, table[10], table[11]));
        __m128i none = _mm_and_si128(_mm_cmpeq_epi8(low, zero), _mm_cmpeq_epi8(high, zero));
        n = emit(~(unsigned)_mm_movemask_epi8(none) & 0xffffu, p, out, n);
        p += 16;
    }
    *from = p;
    return n;
}

size_t cscan_candidates(int use, const uint8_t *text, size_t count, size_t *from, const uint8_t *masks, uint32_t *out,
                        size_t capacity) {
    switch (use < level() ? use : level()) {
    case 2: return candidates_avx2(text, count, from, masks, out, capacity);
    case 1: return candidates_ssse3(text, count, from, masks, out, capacity);
    default: return 0;
    }
}

size_t cscan_count_byte(const uint8_t *text, size_t count, uint8_t byte) {
    const __m128i needle = _mm_set1_epi8((char)byte), zero = _mm_setzero_si128();
    size_t i = 0, n = 0;
    while (i + 16 <= count) {
        // Per lane, up to 255 matches counted in bytes (a match is -1, subtracted), then summed into two 64-bit halves.
        __m128i lanes = zero;
        size_t end = i + 16 * 255 < count ? i + 16 * 255 : count;
        for (; i + 16 <= end; i += 16) {
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(text + i)), needle));
        }
        __m128i sums = _mm_sad_epu8(lanes, zero);
        n += (size_t)_mm_cvtsi128_si64(sums) + (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
    }
    for (; i < count; i++) n += text[i] == byte;
    return n;
}

#else

int cscan_level(void) { return 0; }

size_t cscan_count_byte(const uint8_t *text, size_t count, uint8_t byte) {
    size_t n = 0;
    for (size_t i = 0; i < count; i++) n += text[i] == byte;
    return n;
}

size_t cscan_candidates(int use, const uint8_t *text, size_t count, size_t *from, const uint8_t *masks, uint32_t *out,
                        size_t capacity) {
    (void)use; (void)text; (void)count; (void)from; (void)masks; (void)out; (void)capacity;
    return 0;
}

#endif
