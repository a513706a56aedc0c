/*
 * scenefarm_png_deflate.c — the fast PNG encoder (sf_png_encode_deflate, see
 * include/scenefarm_png.h): libdeflate instead of libpng + zlib.
 *
 * libdeflate compresses a whole buffer in one call (no streaming), so the
 * encoder
 *   1. filters every scanline into one scratch buffer of height * (1 + row_bytes)
 *      bytes, converting the input layout on the fly (RGBA8 loses its alpha byte,
 *      native-endian 16-bit samples become big-endian) so there is no separate
 *      conversion pass;
 *   2. compresses that buffer with libdeflate_zlib_compress straight into the
 *      output, right behind the IDAT chunk header;
 *   3. frames it: signature, IHDR, IDAT (split into chunks of at most 1 GiB only
 *      for huge streams), IEND, every CRC from libdeflate_crc32.
 *
 * Compressors are cached per thread and level (one libdeflate_compressor is
 * tens of KB to a few MB depending on the level and costs a zeroing pass to set
 * up); they are freed by a pthread key destructor when the thread exits.
 */
#include "scenefarm_png.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sf_deflate_error(char *buffer, size_t capacity, const char *format, ...) {
    if (buffer == NULL || capacity == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, capacity, format, args);
    va_end(args);
}

/* ---- per-thread compressor cache ---------------------------------------- */

#define SF_DEFLATE_LEVELS 13 /* libdeflate levels 0...12 */

/* Filtered-scanline buffers up to this size are kept per thread between calls
 * (a fresh multi-megabyte malloc is page-faulted in again on every call). */
#define SF_SCRATCH_KEEP_MAX ((size_t)64 << 20)

typedef struct sf_compressor_cache {
    struct libdeflate_compressor *compressors[SF_DEFLATE_LEVELS];
    uint8_t *scratch;
    size_t scratch_capacity;
    int scratch_in_use;
} sf_compressor_cache;

static pthread_key_t sf_cache_key;
static pthread_once_t sf_cache_once = PTHREAD_ONCE_INIT;
static int sf_cache_key_ok;
static _Thread_local sf_compressor_cache *sf_thread_cache;

static void sf_cache_destroy(void *value) {
    sf_compressor_cache *cache = (sf_compressor_cache *)value;
    if (cache == NULL) return;
    for (int level = 0; level < SF_DEFLATE_LEVELS; level++) libdeflate_free_compressor(cache->compressors[level]);
    free(cache->scratch);
    free(cache);
    sf_thread_cache = NULL;
}

static void sf_cache_make_key(void) { sf_cache_key_ok = pthread_key_create(&sf_cache_key, sf_cache_destroy) == 0; }

/* The calling thread's cache, created on first use; NULL if that failed. */
static sf_compressor_cache *sf_cache(void) {
    if (sf_thread_cache == NULL) {
        pthread_once(&sf_cache_once, sf_cache_make_key);
        sf_compressor_cache *cache = sf_cache_key_ok ? (sf_compressor_cache *)calloc(1, sizeof *cache) : NULL;
        if (cache != NULL && pthread_setspecific(sf_cache_key, cache) != 0) {
            free(cache);
            cache = NULL;
        }
        sf_thread_cache = cache;
    }
    return sf_thread_cache;
}

/* Returns a compressor for `level`; *owned is set when the caller must free it
 * (only when the per-thread cache could not be set up). NULL when out of memory. */
static struct libdeflate_compressor *sf_compressor(int level, int *owned) {
    sf_compressor_cache *cache = sf_cache();
    *owned = cache == NULL;
    if (cache == NULL) return libdeflate_alloc_compressor(level);
    if (cache->compressors[level] == NULL) cache->compressors[level] = libdeflate_alloc_compressor(level);
    return cache->compressors[level];
}

/* A buffer of `size` bytes for the filtered scanlines: the thread's cached one
 * when it is small enough, else a fresh malloc (*owned set: free it). */
static uint8_t *sf_scratch(size_t size, int *owned) {
    sf_compressor_cache *cache = sf_cache();
    *owned = 1;
    if (cache == NULL || size > SF_SCRATCH_KEEP_MAX || cache->scratch_in_use) return (uint8_t *)malloc(size);
    if (cache->scratch_capacity < size) {
        free(cache->scratch);
        cache->scratch_capacity = 0;
        cache->scratch = (uint8_t *)malloc(size);
        if (cache->scratch == NULL) return NULL;
        cache->scratch_capacity = size;
    }
    *owned = 0;
    cache->scratch_in_use = 1;
    return cache->scratch;
}

static void sf_scratch_release(uint8_t *scratch, int owned) {
    if (owned) free(scratch);
    else sf_thread_cache->scratch_in_use = 0;
}

/* ---- filtering ---------------------------------------------------------- */

enum { SF_F_NONE = 0, SF_F_SUB = 1, SF_F_UP = 2, SF_F_AVG = 3, SF_F_PAETH = 4 };

/* Packs one input row into PNG sample order (RGB without alpha, 16-bit big-endian). */
static void sf_pack_row(int format, const uint8_t *src, uint32_t width, uint8_t *dst) {
    switch (format) {
    case SF_PNG_FORMAT_RGBA8_AS_RGB:
        /* 4-byte copies that overlap by one byte (the alpha is overwritten by
         * the next pixel); the last pixel copies 3 so nothing is written past it. */
        for (uint32_t x = 0; x + 1 < width; x++) memcpy(dst + 3 * (size_t)x, src + 4 * (size_t)x, 4);
        memcpy(dst + 3 * (size_t)(width - 1), src + 4 * (size_t)(width - 1), 3);
        break;
    case SF_PNG_FORMAT_GRAY16: {
        const uint16_t *s = (const uint16_t *)src;
        for (uint32_t x = 0; x < width; x++) {
            dst[2 * x + 0] = (uint8_t)(s[x] >> 8);
            dst[2 * x + 1] = (uint8_t)s[x];
        }
        break;
    }
    default: break; /* GRAY8 and RGB8 are already packed; never called for them */
    }
}

static inline uint8_t sf_paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    if (pa <= pb && pa <= pc) return (uint8_t)a;
    return pb <= pc ? (uint8_t)b : (uint8_t)c;
}

/* Generic filter over packed rows; `prev` is a row of zeros for the first row. */
static void sf_filter_packed(int type, const uint8_t *cur, const uint8_t *prev, size_t n, size_t bpp, uint8_t *out) {
    size_t i;
    switch (type) {
    case SF_F_NONE: memcpy(out, cur, n); break;
    case SF_F_SUB:
        for (i = 0; i < bpp && i < n; i++) out[i] = cur[i];
        for (; i < n; i++) out[i] = (uint8_t)(cur[i] - cur[i - bpp]);
        break;
    case SF_F_UP:
        for (i = 0; i < n; i++) out[i] = (uint8_t)(cur[i] - prev[i]);
        break;
    case SF_F_AVG:
        for (i = 0; i < bpp && i < n; i++) out[i] = (uint8_t)(cur[i] - (prev[i] >> 1));
        for (; i < n; i++) out[i] = (uint8_t)(cur[i] - ((cur[i - bpp] + prev[i]) >> 1));
        break;
    default: /* SF_F_PAETH */
        for (i = 0; i < bpp && i < n; i++) out[i] = (uint8_t)(cur[i] - prev[i]); /* paeth(0, b, 0) = b */
        for (; i < n; i++) out[i] = (uint8_t)(cur[i] - sf_paeth(cur[i - bpp], prev[i], prev[i - bpp]));
        break;
    }
}

/* None / Sub / Up straight from the input layout: no packing pass. `prev` is the
 * previous *input* row, NULL for the first row. */
static void sf_filter_direct(int format, int type, const uint8_t *src, const uint8_t *prev, uint32_t width, uint8_t *out) {
    const size_t w = width;
    switch (format) {
    case SF_PNG_FORMAT_GRAY8:
    case SF_PNG_FORMAT_RGB8: {
        const size_t bpp = format == SF_PNG_FORMAT_RGB8 ? 3 : 1, n = w * bpp;
        if (type == SF_F_NONE || (type == SF_F_UP && prev == NULL)) {
            memcpy(out, src, n);
        } else if (type == SF_F_UP) {
            for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(src[i] - prev[i]);
        } else {
            for (size_t i = 0; i < bpp; i++) out[i] = src[i];
            for (size_t i = bpp; i < n; i++) out[i] = (uint8_t)(src[i] - src[i - bpp]);
        }
        break;
    }
    case SF_PNG_FORMAT_RGBA8_AS_RGB:
        if (type == SF_F_NONE || (type == SF_F_UP && prev == NULL)) {
            sf_pack_row(format, src, width, out);
        } else {
            /* One pixel per 32-bit word: bytewise subtraction without borrows
             * between bytes (SWAR), stored with a one-byte overlap like the pack. */
            const uint8_t *minus = type == SF_F_UP ? prev : src - 4;
            size_t x = 0;
            if (type == SF_F_SUB) {
                memcpy(out, src, 3);
                x = 1;
            }
            for (; x < w; x++) {
                uint32_t a, b;
                memcpy(&a, src + 4 * x, 4);
                memcpy(&b, minus + 4 * x, 4);
                const uint32_t d = ((a | 0x80808080u) - (b & 0x7F7F7F7Fu)) ^ ((a ^ ~b) & 0x80808080u);
                if (x + 1 < w) {
                    memcpy(out + 3 * x, &d, 4);
                } else {
                    out[3 * x + 0] = (uint8_t)(src[4 * x + 0] - minus[4 * x + 0]);
                    out[3 * x + 1] = (uint8_t)(src[4 * x + 1] - minus[4 * x + 1]);
                    out[3 * x + 2] = (uint8_t)(src[4 * x + 2] - minus[4 * x + 2]);
                }
            }
        }
        break;
    default: { /* SF_PNG_FORMAT_GRAY16: native-endian in, big-endian out */
        const uint16_t *s = (const uint16_t *)src, *p = (const uint16_t *)prev;
        if (type == SF_F_NONE || (type == SF_F_UP && prev == NULL)) {
            sf_pack_row(format, src, width, out);
        } else if (type == SF_F_UP) {
            for (size_t x = 0; x < w; x++) {
                out[2 * x + 0] = (uint8_t)((s[x] >> 8) - (p[x] >> 8));
                out[2 * x + 1] = (uint8_t)(s[x] - p[x]);
            }
        } else {
            out[0] = (uint8_t)(s[0] >> 8);
            out[1] = (uint8_t)s[0];
            for (size_t x = 1; x < w; x++) {
                out[2 * x + 0] = (uint8_t)((s[x] >> 8) - (s[x - 1] >> 8));
                out[2 * x + 1] = (uint8_t)(s[x] - s[x - 1]);
            }
        }
        break;
    }
    }
}

static size_t sf_abs_sum(const uint8_t *row, size_t n) {
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += row[i] < 128 ? row[i] : 256u - row[i];
    return sum;
}

static int sf_single_filter_type(int mask) {
    switch (mask) {
    case SF_PNG_FILTER_NONE: return SF_F_NONE;
    case SF_PNG_FILTER_SUB: return SF_F_SUB;
    case SF_PNG_FILTER_UP: return SF_F_UP;
    case SF_PNG_FILTER_AVG: return SF_F_AVG;
    case SF_PNG_FILTER_PAETH: return SF_F_PAETH;
    default: return -1;
    }
}

/* Fills `filtered` (height rows of 1 filter byte + row_bytes). Returns 0 on success. */
static int sf_filter_image(const uint8_t *pixels, uint32_t width, uint32_t height, int format, int filters,
                           size_t in_row_bytes, size_t row_bytes, size_t bpp, uint8_t *filtered) {
    if (filters == SF_PNG_FILTER_SUB_OR_NONE) {
        /* Sub, except that rows Sub would turn mostly into zeros (flat spans) are
         * written unfiltered: libdeflate's match finder is ~3x slower on runs of
         * one repeated byte than on runs of a repeated 2-4 byte pixel, and for
         * flat content the two compress alike. */
        for (uint32_t y = 0; y < height; y++) {
            const uint8_t *src = pixels + (size_t)y * in_row_bytes;
            uint8_t *dst = filtered + (size_t)y * (row_bytes + 1);
            sf_filter_direct(format, SF_F_SUB, src, NULL, width, dst + 1);
            size_t zeros = 0;
            for (size_t i = 0; i < row_bytes; i++) zeros += dst[1 + i] == 0;
            if (zeros > row_bytes / 2) {
                dst[0] = SF_F_NONE;
                sf_filter_direct(format, SF_F_NONE, src, NULL, width, dst + 1);
            } else {
                dst[0] = SF_F_SUB;
            }
        }
        return 0;
    }
    const int single = sf_single_filter_type(filters);
    if (single == SF_F_NONE || single == SF_F_SUB || single == SF_F_UP) {
        for (uint32_t y = 0; y < height; y++) {
            const uint8_t *src = pixels + (size_t)y * in_row_bytes;
            uint8_t *dst = filtered + (size_t)y * (row_bytes + 1);
            dst[0] = (uint8_t)single;
            sf_filter_direct(format, single, src, y ? src - in_row_bytes : NULL, width, dst + 1);
        }
        return 0;
    }

    /* Average, Paeth or adaptive: work on packed rows. Scratch: previous and
     * current packed rows (unused for already packed input), a zero row, and one
     * candidate row per filter type for the adaptive choice. */
    const int packed_input = format == SF_PNG_FORMAT_GRAY8 || format == SF_PNG_FORMAT_RGB8;
    uint8_t *scratch = (uint8_t *)calloc(8, row_bytes);
    if (scratch == NULL) return 1;
    uint8_t *rows[2] = { scratch, scratch + row_bytes };
    const uint8_t *zero = scratch + 2 * row_bytes;
    uint8_t *candidates = scratch + 3 * row_bytes;
    const uint8_t *prev = zero;
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *src = pixels + (size_t)y * in_row_bytes;
        const uint8_t *cur = src;
        if (!packed_input) {
            uint8_t *row = rows[y & 1];
            sf_pack_row(format, src, width, row);
            cur = row;
        }
        uint8_t *dst = filtered + (size_t)y * (row_bytes + 1);
        if (single >= 0) {
            dst[0] = (uint8_t)single;
            sf_filter_packed(single, cur, prev, row_bytes, bpp, dst + 1);
        } else {
            int best = -1;
            size_t best_sum = SIZE_MAX;
            for (int type = SF_F_NONE; type <= SF_F_PAETH; type++) {
                if (!(filters & (SF_PNG_FILTER_NONE << type))) continue;
                uint8_t *candidate = candidates + (size_t)type * row_bytes;
                sf_filter_packed(type, cur, prev, row_bytes, bpp, candidate);
                const size_t sum = sf_abs_sum(candidate, row_bytes);
                if (sum < best_sum) {
                    best_sum = sum;
                    best = type;
                }
            }
            dst[0] = (uint8_t)best;
            memcpy(dst + 1, candidates + (size_t)best * row_bytes, row_bytes);
        }
        prev = cur;
    }
    free(scratch);
    return 0;
}

/* ---- framing ------------------------------------------------------------ */

static void sf_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Writes length and type in front of, and the CRC behind, `length` data bytes at `chunk + 8`. */
static void sf_frame_chunk(uint8_t *chunk, const char type[4], uint32_t length) {
    sf_put_u32(chunk, length);
    memcpy(chunk + 4, type, 4);
    sf_put_u32(chunk + 8 + length, libdeflate_crc32(0, chunk + 4, (size_t)length + 4));
}

/* Largest IDAT payload written (PNG allows 2^31 - 1). */
#define SF_IDAT_MAX ((size_t)1 << 30)

int sf_png_encode_deflate(const void *pixels, uint32_t width, uint32_t height, int format, int level, int filters,
                          sf_png_buffer *out, char *error, size_t error_capacity) {
    if (out == NULL || pixels == NULL) {
        sf_deflate_error(error, error_capacity, "invalid arguments");
        return SF_PNG_ERROR;
    }
    out->data = NULL;
    out->size = 0;
    out->capacity = 0;
    if (width == 0 || height == 0 || width > 0x7FFFFFFFu || height > 0x7FFFFFFFu) {
        sf_deflate_error(error, error_capacity, "invalid PNG dimensions %ux%u", width, height);
        return SF_PNG_ERROR;
    }
    if (level < 0 || level >= SF_DEFLATE_LEVELS) {
        sf_deflate_error(error, error_capacity, "libdeflate level %d is not in 0...12", level);
        return SF_PNG_ERROR;
    }
    if (filters != SF_PNG_FILTER_SUB_OR_NONE && ((filters & SF_PNG_FILTER_ALL) == 0 || (filters & ~SF_PNG_FILTER_ALL) != 0)) {
        sf_deflate_error(error, error_capacity, "invalid PNG filter mask 0x%x", (unsigned)filters);
        return SF_PNG_ERROR;
    }

    uint8_t bit_depth, color_type;
    size_t in_bpp, bpp;
    switch (format) {
    case SF_PNG_FORMAT_GRAY8: bit_depth = 8; color_type = 0; in_bpp = 1; bpp = 1; break;
    case SF_PNG_FORMAT_GRAY16: bit_depth = 16; color_type = 0; in_bpp = 2; bpp = 2; break;
    case SF_PNG_FORMAT_RGB8: bit_depth = 8; color_type = 2; in_bpp = 3; bpp = 3; break;
    case SF_PNG_FORMAT_RGBA8_AS_RGB: bit_depth = 8; color_type = 2; in_bpp = 4; bpp = 3; break;
    default:
        sf_deflate_error(error, error_capacity, "unknown pixel format %d", format);
        return SF_PNG_ERROR;
    }
    /* width, height < 2^31 and bpp <= 4: these products fit in 64 bits. */
    const uint64_t row_bytes64 = (uint64_t)width * bpp;
    const uint64_t filtered64 = (uint64_t)height * (row_bytes64 + 1);
    if (sizeof(size_t) < 8 && (filtered64 > SIZE_MAX / 2 || (uint64_t)width * in_bpp > SIZE_MAX)) {
        sf_deflate_error(error, error_capacity, "PNG %ux%u is too large", width, height);
        return SF_PNG_ERROR;
    }
    const size_t row_bytes = (size_t)row_bytes64, in_row_bytes = (size_t)width * in_bpp;
    const size_t filtered_size = (size_t)filtered64;

    int filtered_owned;
    uint8_t *filtered = sf_scratch(filtered_size, &filtered_owned);
    if (filtered == NULL) {
        sf_deflate_error(error, error_capacity, "out of memory (%zu bytes of filtered scanlines)", filtered_size);
        return SF_PNG_ERROR;
    }
    if (sf_filter_image((const uint8_t *)pixels, width, height, format, filters, in_row_bytes, row_bytes, bpp, filtered)) {
        sf_scratch_release(filtered, filtered_owned);
        sf_deflate_error(error, error_capacity, "out of memory");
        return SF_PNG_ERROR;
    }

    int owned;
    struct libdeflate_compressor *compressor = sf_compressor(level, &owned);
    if (compressor == NULL) {
        sf_scratch_release(filtered, filtered_owned);
        sf_deflate_error(error, error_capacity, "out of memory allocating a libdeflate level %d compressor", level);
        return SF_PNG_ERROR;
    }

    /* signature (8) + IHDR (25) + IDAT header (8) | zlib stream | IDAT CRC (4) +
     * 12 per further IDAT | IEND (12). */
    const size_t head = 8 + 25 + 8;
    const size_t bound = libdeflate_zlib_compress_bound(compressor, filtered_size);
    const size_t max_chunks = bound / SF_IDAT_MAX + 1;
    const size_t capacity = head + bound + 4 + 12 * (max_chunks - 1) + 12;
    uint8_t *png = (uint8_t *)malloc(capacity);
    if (png == NULL || capacity < bound) {
        free(png);
        sf_scratch_release(filtered, filtered_owned);
        if (owned) libdeflate_free_compressor(compressor);
        sf_deflate_error(error, error_capacity, "out of memory (%zu bytes of PNG output)", capacity);
        return SF_PNG_ERROR;
    }
    const size_t zsize = libdeflate_zlib_compress(compressor, filtered, filtered_size, png + head, bound);
    sf_scratch_release(filtered, filtered_owned);
    if (owned) libdeflate_free_compressor(compressor);
    if (zsize == 0) {
        free(png);
        sf_deflate_error(error, error_capacity, "libdeflate_zlib_compress failed");
        return SF_PNG_ERROR;
    }

    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    memcpy(png, signature, 8);
    uint8_t *ihdr = png + 8;
    sf_put_u32(ihdr + 8, width);
    sf_put_u32(ihdr + 12, height);
    ihdr[16] = bit_depth;
    ihdr[17] = color_type;
    ihdr[18] = 0; /* deflate */
    ihdr[19] = 0; /* adaptive filtering (filter method 0) */
    ihdr[20] = 0; /* no interlace */
    sf_frame_chunk(ihdr, "IHDR", 13);

    /* Split the stream into IDAT chunks of at most SF_IDAT_MAX bytes, in place:
     * chunk k's data moves 12 * k bytes up; move the last one first. */
    const size_t chunks = zsize / SF_IDAT_MAX + (zsize % SF_IDAT_MAX != 0);
    for (size_t k = chunks; k-- > 1;) {
        const size_t length = k + 1 < chunks ? SF_IDAT_MAX : zsize - k * SF_IDAT_MAX;
        memmove(png + head + k * (SF_IDAT_MAX + 12), png + head + k * SF_IDAT_MAX, length);
    }
    for (size_t k = 0; k < chunks; k++) {
        const size_t length = k + 1 < chunks ? SF_IDAT_MAX : zsize - k * SF_IDAT_MAX;
        sf_frame_chunk(png + head - 8 + k * (SF_IDAT_MAX + 12), "IDAT", (uint32_t)length);
    }
    const size_t iend = head + zsize + 4 + 12 * (chunks - 1);
    sf_frame_chunk(png + iend, "IEND", 0);

    out->data = png;
    out->size = iend + 12;
    out->capacity = capacity;
    return SF_PNG_OK;
}
