/*
 * scenefarm_png.h — a longjmp-free facade over libpng 1.6.
 *
 * libpng reports errors by longjmp()ing out of the failing call. Swift cannot
 * be unwound that way, so every libpng call is made from C, under a setjmp()
 * set up in the same C function, and each entry point here returns a plain
 * status code (0 = success) plus a NUL-terminated message in a caller buffer.
 *
 * Non-goals: no file writing, no streaming, no colour management (gAMA/iCCP
 * are ignored on read and never written).
 */
#ifndef SCENEFARM_PNG_H
#define SCENEFARM_PNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Suggested size of the error message buffers passed to every function. */
#define SF_PNG_ERROR_CAPACITY 256

/* Status codes. */
#define SF_PNG_OK 0
#define SF_PNG_ERROR 1

/* Pixel layouts accepted by the encoder (rows top first, tightly packed). */
#define SF_PNG_FORMAT_GRAY8 0        /* 1 byte/pixel  -> 8-bit gray PNG           */
#define SF_PNG_FORMAT_GRAY16 1       /* native-endian uint16 -> 16-bit gray PNG   */
#define SF_PNG_FORMAT_RGB8 2         /* 3 bytes/pixel -> 8-bit RGB PNG            */
#define SF_PNG_FORMAT_RGBA8_AS_RGB 3 /* 4 bytes/pixel -> 8-bit RGB PNG, A dropped */

/* Filter mask bits (same values as libpng's PNG_FILTER_*), for both encoders. */
#define SF_PNG_FILTER_NONE 0x08
#define SF_PNG_FILTER_SUB 0x10
#define SF_PNG_FILTER_UP 0x20
#define SF_PNG_FILTER_AVG 0x40
#define SF_PNG_FILTER_PAETH 0x80
#define SF_PNG_FILTER_ALL 0xF8
/* sf_png_encode_deflate only, alone: per row Sub, or None where Sub would leave
 * more than half the row zero (flat spans). */
#define SF_PNG_FILTER_SUB_OR_NONE 0x100

/* zlib strategies (same values as zlib's Z_*); sf_png_encode only. */
#define SF_PNG_STRATEGY_DEFAULT 0
#define SF_PNG_STRATEGY_FILTERED 1
#define SF_PNG_STRATEGY_HUFFMAN_ONLY 2
#define SF_PNG_STRATEGY_RLE 3
#define SF_PNG_STRATEGY_FIXED 4

typedef struct sf_png_encode_options {
    int zlib_level;                 /* 0...9 */
    int zlib_strategy;              /* SF_PNG_STRATEGY_* */
    int filters;                    /* mask of SF_PNG_FILTER_*; one bit = fixed filter */
    size_t compression_buffer_size; /* libpng's zlib output buffer; 0 = libpng default (8 KiB) */
} sf_png_encode_options;

/* A malloc'd, growable byte buffer. Release with sf_png_buffer_free. */
typedef struct sf_png_buffer {
    uint8_t *data;
    size_t size;
    size_t capacity;
} sf_png_buffer;

void sf_png_buffer_free(sf_png_buffer *buffer);

/*
 * The libpng + zlib encoder, kept as a reference and for png-bench comparisons
 * (sf_png_encode_deflate below is the fast one).
 * Encodes width x height pixels of `format` into a complete PNG in `out`
 * (which must be zero-initialised; it is filled on success and left empty on
 * failure). `pixels` must hold width * height * bytes-per-pixel bytes.
 */
int sf_png_encode(const void *pixels, uint32_t width, uint32_t height, int format,
                  const sf_png_encode_options *options, sf_png_buffer *out,
                  char *error, size_t error_capacity);

/*
 * The fast encoder: same input and output as sf_png_encode, but the PNG stream
 * is written here (signature, IHDR, IDAT, IEND) around one libdeflate zlib
 * stream; libpng and zlib are not involved. `level` is libdeflate's 0...12
 * (0 = stored blocks, 1 = fastest). `filters` is a mask of SF_PNG_FILTER_*:
 * one bit applies that filter to every row; several bits choose per row the
 * one with the smallest sum of absolute (signed) differences, like libpng.
 * Thread-safe; each thread caches one libdeflate compressor per level it used,
 * freed when the thread exits.
 */
int sf_png_encode_deflate(const void *pixels, uint32_t width, uint32_t height, int format, int level, int filters,
                          sf_png_buffer *out, char *error, size_t error_capacity);

/* Layout of decoded samples, after expansion of palette / low-bit gray / tRNS. */
typedef struct sf_png_info {
    uint32_t width;
    uint32_t height;
    int channels;     /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    int bit_depth;    /* 8 or 16; 16-bit samples are native endian */
    size_t row_bytes; /* width * channels * bit_depth / 8 */
} sf_png_info;

typedef struct sf_png_decoder sf_png_decoder;

/*
 * Parses the signature and all chunks up to the first IDAT from `data` (which
 * must stay alive until sf_png_decoder_close) and fills `info`. Fails, without
 * allocating image memory, when row_bytes * height would exceed
 * `max_image_bytes`. Returns NULL on failure.
 */
sf_png_decoder *sf_png_decoder_open(const uint8_t *data, size_t size, uint64_t max_image_bytes,
                                    sf_png_info *info, char *error, size_t error_capacity);

/*
 * Decodes the whole image into `pixels` (info.row_bytes * info.height bytes)
 * and validates the rest of the stream up to IEND. Call at most once.
 */
int sf_png_decoder_read(sf_png_decoder *decoder, void *pixels, size_t pixels_size,
                        char *error, size_t error_capacity);

void sf_png_decoder_close(sf_png_decoder *decoder);

/*
 * Reads a whole file into `out` (zero-initialised). Fails with strerror()'s
 * text when the file cannot be opened or read, or when it exceeds max_bytes.
 */
int sf_png_read_file(const char *path, uint64_t max_bytes, sf_png_buffer *out,
                     char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif /* SCENEFARM_PNG_H */
