/*
 * scenefarm_png.c — see include/scenefarm_png.h.
 *
 * Every function that calls into libpng follows one pattern:
 *
 *   create png_struct with our error/warning callbacks
 *   if (setjmp(png_jmpbuf(png))) { clean up; return SF_PNG_ERROR; }
 *   ... libpng calls ...
 *
 * State that must survive the longjmp lives in heap or in a struct reached
 * through a pointer set up before setjmp(), never in non-volatile locals that
 * are modified afterwards (C11 7.13.2.1p3).
 */
#include "scenefarm_png.h"

#include <errno.h>
#include <png.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

typedef struct sf_error_sink {
    char *buffer;
    size_t capacity;
} sf_error_sink;

static void sf_set_error(char *buffer, size_t capacity, const char *format, ...) {
    if (buffer == NULL || capacity == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, capacity, format, args);
    va_end(args);
}

static void sf_png_error_fn(png_structp png, png_const_charp message) {
    sf_error_sink *sink = (sf_error_sink *)png_get_error_ptr(png);
    if (sink != NULL) sf_set_error(sink->buffer, sink->capacity, "%s", message ? message : "libpng error");
    png_longjmp(png, 1);
}

static void sf_png_warning_fn(png_structp png, png_const_charp message) {
    /* Warnings (bad ancillary chunks, benign errors) are not fatal and not printed. */
    (void)png;
    (void)message;
}

/* ---- buffer ------------------------------------------------------------ */

void sf_png_buffer_free(sf_png_buffer *buffer) {
    if (buffer == NULL) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
}

/* ---- encode ------------------------------------------------------------ */

typedef struct sf_encoder {
    sf_png_buffer *out;
    sf_error_sink sink;
} sf_encoder;

static void sf_write_fn(png_structp png, png_bytep data, size_t length) {
    sf_encoder *encoder = (sf_encoder *)png_get_io_ptr(png);
    sf_png_buffer *out = encoder->out;
    if (length > SIZE_MAX - out->size) png_error(png, "PNG output too large");
    size_t needed = out->size + length;
    if (needed > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 64 * 1024;
        while (capacity < needed) {
            if (capacity > SIZE_MAX / 2) { capacity = needed; break; }
            capacity *= 2;
        }
        uint8_t *grown = (uint8_t *)realloc(out->data, capacity);
        if (grown == NULL) png_error(png, "out of memory growing PNG output buffer");
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->size, data, length);
    out->size = needed;
}

static void sf_flush_fn(png_structp png) { (void)png; }

int sf_png_encode(const void *pixels, uint32_t width, uint32_t height, int format,
                  const sf_png_encode_options *options, sf_png_buffer *out,
                  char *error, size_t error_capacity) {
    if (out == NULL || pixels == NULL || options == NULL) {
        sf_set_error(error, error_capacity, "invalid arguments");
        return SF_PNG_ERROR;
    }
    out->data = NULL;
    out->size = 0;
    out->capacity = 0;
    if (width == 0 || height == 0 || width > PNG_UINT_31_MAX || height > PNG_UINT_31_MAX) {
        sf_set_error(error, error_capacity, "invalid PNG dimensions %ux%u", width, height);
        return SF_PNG_ERROR;
    }

    int color_type, bit_depth;
    size_t input_pixel_bytes;
    switch (format) {
    case SF_PNG_FORMAT_GRAY8: color_type = PNG_COLOR_TYPE_GRAY; bit_depth = 8; input_pixel_bytes = 1; break;
    case SF_PNG_FORMAT_GRAY16: color_type = PNG_COLOR_TYPE_GRAY; bit_depth = 16; input_pixel_bytes = 2; break;
    case SF_PNG_FORMAT_RGB8: color_type = PNG_COLOR_TYPE_RGB; bit_depth = 8; input_pixel_bytes = 3; break;
    case SF_PNG_FORMAT_RGBA8_AS_RGB: color_type = PNG_COLOR_TYPE_RGB; bit_depth = 8; input_pixel_bytes = 4; break;
    default:
        sf_set_error(error, error_capacity, "unknown pixel format %d", format);
        return SF_PNG_ERROR;
    }
    const size_t input_row_bytes = (size_t)width * input_pixel_bytes;

    sf_encoder encoder = { out, { error, error_capacity } };
    sf_encoder *const state = &encoder;

    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state->sink, sf_png_error_fn, sf_png_warning_fn);
    if (png == NULL) {
        sf_set_error(error, error_capacity, "png_create_write_struct failed");
        return SF_PNG_ERROR;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        sf_set_error(error, error_capacity, "png_create_info_struct failed");
        return SF_PNG_ERROR;
    }

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        sf_png_buffer_free(state->out);
        return SF_PNG_ERROR;
    }

    png_set_write_fn(png, state, sf_write_fn, sf_flush_fn);
    png_set_compression_level(png, options->zlib_level);
    png_set_compression_strategy(png, options->zlib_strategy);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, options->filters & PNG_ALL_FILTERS);
    if (options->compression_buffer_size > 0) png_set_compression_buffer_size(png, options->compression_buffer_size);

    png_set_IHDR(png, info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    png_write_info(png, info);

    /* Transforms on write must follow png_write_info: png_set_filler reads the
     * colour type recorded by png_write_IHDR. On write it *strips* the filler
     * byte while packing each row, so RGBA input needs no intermediate copy. */
    if (format == SF_PNG_FORMAT_RGBA8_AS_RGB) png_set_filler(png, 0, PNG_FILLER_AFTER);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bit_depth == 16) png_set_swap(png);
#endif

    const uint8_t *row = (const uint8_t *)pixels;
    for (uint32_t y = 0; y < height; y++, row += input_row_bytes) {
        /* libpng copies the row before transforming it; the cast drops const only. */
        png_write_row(png, (png_const_bytep)row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return SF_PNG_OK;
}

/* ---- decode ------------------------------------------------------------ */

struct sf_png_decoder {
    png_structp png;
    png_infop info;
    sf_error_sink sink;
    const uint8_t *data;
    size_t size;
    size_t offset;
    sf_png_info layout;
    png_bytep *rows;
    int read_done;
};

static void sf_read_fn(png_structp png, png_bytep out, size_t length) {
    sf_png_decoder *decoder = (sf_png_decoder *)png_get_io_ptr(png);
    if (length > decoder->size - decoder->offset) png_error(png, "PNG data is truncated");
    memcpy(out, decoder->data + decoder->offset, length);
    decoder->offset += length;
}

void sf_png_decoder_close(sf_png_decoder *decoder) {
    if (decoder == NULL) return;
    if (decoder->png != NULL) png_destroy_read_struct(&decoder->png, &decoder->info, NULL);
    free(decoder->rows);
    free(decoder);
}

sf_png_decoder *sf_png_decoder_open(const uint8_t *data, size_t size, uint64_t max_image_bytes,
                                    sf_png_info *info, char *error, size_t error_capacity) {
    if (data == NULL || size == 0) {
        sf_set_error(error, error_capacity, "PNG data is empty");
        return NULL;
    }
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        sf_set_error(error, error_capacity, "not a PNG (bad signature)");
        return NULL;
    }
    sf_png_decoder *const decoder = (sf_png_decoder *)calloc(1, sizeof(sf_png_decoder));
    if (decoder == NULL) {
        sf_set_error(error, error_capacity, "out of memory");
        return NULL;
    }
    decoder->data = data;
    decoder->size = size;
    decoder->sink.buffer = error;
    decoder->sink.capacity = error_capacity;
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &decoder->sink, sf_png_error_fn, sf_png_warning_fn);
    if (decoder->png == NULL) {
        sf_set_error(error, error_capacity, "png_create_read_struct failed");
        sf_png_decoder_close(decoder);
        return NULL;
    }
    decoder->info = png_create_info_struct(decoder->png);
    if (decoder->info == NULL) {
        sf_set_error(error, error_capacity, "png_create_info_struct failed");
        sf_png_decoder_close(decoder);
        return NULL;
    }
    if (setjmp(png_jmpbuf(decoder->png))) {
        sf_png_decoder_close(decoder);
        return NULL;
    }

    png_structp png = decoder->png;
    png_infop pinfo = decoder->info;
    png_set_read_fn(png, decoder, sf_read_fn);
    png_read_info(png, pinfo);

    const png_uint_32 width = png_get_image_width(png, pinfo);
    const png_uint_32 height = png_get_image_height(png, pinfo);
    const int color_type = png_get_color_type(png, pinfo);
    const int bit_depth = png_get_bit_depth(png, pinfo);

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, pinfo, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bit_depth == 16) png_set_swap(png);
#endif
    /* Interlaced images are de-interlaced by png_read_image. */
    (void)png_set_interlace_handling(png);

    /* Size the decoded image from the header alone, so an absurd header is
     * rejected before anything is allocated for it. */
    {
        const int has_color = (color_type & PNG_COLOR_MASK_COLOR) != 0;
        const int has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid(png, pinfo, PNG_INFO_tRNS);
        const uint64_t out_channels = (uint64_t)(has_color ? 3 : 1) + (has_alpha ? 1 : 0);
        const uint64_t pixels = (uint64_t)width * height; /* < 2^62, no overflow */
        const uint64_t bytes = pixels > max_image_bytes ? UINT64_MAX : pixels * out_channels * (bit_depth == 16 ? 2u : 1u);
        if (bytes > max_image_bytes) {
            sf_set_error(error, error_capacity, "PNG %ux%u is too large to decode (limit %llu bytes)",
                         width, height, (unsigned long long)max_image_bytes);
            sf_png_decoder_close(decoder);
            return NULL;
        }
    }

    png_read_update_info(png, pinfo);
    const int channels = png_get_channels(png, pinfo);
    const int out_depth = png_get_bit_depth(png, pinfo);
    if ((out_depth != 8 && out_depth != 16) || channels < 1 || channels > 4) {
        sf_set_error(error, error_capacity, "unsupported PNG layout after transforms (%d channels, %d-bit)", channels, out_depth);
        sf_png_decoder_close(decoder);
        return NULL;
    }
    const uint64_t row_bytes = (uint64_t)width * (uint64_t)channels * (uint64_t)(out_depth / 8);
    if (row_bytes * height > max_image_bytes) {
        sf_set_error(error, error_capacity, "PNG %ux%u needs %llu bytes, limit is %llu", width, height,
                     (unsigned long long)(row_bytes * height), (unsigned long long)max_image_bytes);
        sf_png_decoder_close(decoder);
        return NULL;
    }
    if (png_get_rowbytes(png, pinfo) != row_bytes) {
        sf_set_error(error, error_capacity, "unexpected PNG row size");
        sf_png_decoder_close(decoder);
        return NULL;
    }

    decoder->layout.width = width;
    decoder->layout.height = height;
    decoder->layout.channels = channels;
    decoder->layout.bit_depth = out_depth;
    decoder->layout.row_bytes = (size_t)row_bytes;
    if (info != NULL) *info = decoder->layout;
    return decoder;
}

int sf_png_decoder_read(sf_png_decoder *decoder, void *pixels, size_t pixels_size,
                        char *error, size_t error_capacity) {
    if (decoder == NULL || pixels == NULL || decoder->read_done) {
        sf_set_error(error, error_capacity, "invalid decoder state");
        return SF_PNG_ERROR;
    }
    decoder->read_done = 1;
    decoder->sink.buffer = error;
    decoder->sink.capacity = error_capacity;
    const sf_png_info layout = decoder->layout;
    if (pixels_size < layout.row_bytes * layout.height) {
        sf_set_error(error, error_capacity, "destination buffer too small");
        return SF_PNG_ERROR;
    }
    decoder->rows = (png_bytep *)malloc(sizeof(png_bytep) * layout.height);
    if (decoder->rows == NULL) {
        sf_set_error(error, error_capacity, "out of memory");
        return SF_PNG_ERROR;
    }
    for (uint32_t y = 0; y < layout.height; y++) decoder->rows[y] = (png_bytep)pixels + (size_t)y * layout.row_bytes;

    if (setjmp(png_jmpbuf(decoder->png))) {
        return SF_PNG_ERROR; /* the caller still owns and closes the decoder */
    }
    png_read_image(decoder->png, decoder->rows);
    png_read_end(decoder->png, NULL);
    return SF_PNG_OK;
}

/* ---- files ------------------------------------------------------------- */

int sf_png_read_file(const char *path, uint64_t max_bytes, sf_png_buffer *out,
                     char *error, size_t error_capacity) {
    if (path == NULL || out == NULL) {
        sf_set_error(error, error_capacity, "invalid arguments");
        return SF_PNG_ERROR;
    }
    out->data = NULL;
    out->size = 0;
    out->capacity = 0;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        sf_set_error(error, error_capacity, "%s", strerror(errno));
        return SF_PNG_ERROR;
    }
    for (;;) {
        if (out->size == out->capacity) {
            size_t capacity = out->capacity ? out->capacity * 2 : 256 * 1024;
            if ((uint64_t)out->size >= max_bytes) {
                sf_set_error(error, error_capacity, "file is larger than %llu bytes", (unsigned long long)max_bytes);
                goto fail;
            }
            if ((uint64_t)capacity > max_bytes + 1) capacity = (size_t)max_bytes + 1;
            uint8_t *grown = (uint8_t *)realloc(out->data, capacity);
            if (grown == NULL) {
                sf_set_error(error, error_capacity, "out of memory");
                goto fail;
            }
            out->data = grown;
            out->capacity = capacity;
        }
        size_t got = fread(out->data + out->size, 1, out->capacity - out->size, file);
        out->size += got;
        if (got == 0) {
            if (ferror(file)) {
                sf_set_error(error, error_capacity, "%s", strerror(errno));
                goto fail;
            }
            break; /* EOF */
        }
    }
    if ((uint64_t)out->size > max_bytes) {
        sf_set_error(error, error_capacity, "file is larger than %llu bytes", (unsigned long long)max_bytes);
        goto fail;
    }
    fclose(file);
    return SF_PNG_OK;
fail:
    fclose(file);
    sf_png_buffer_free(out);
    return SF_PNG_ERROR;
}
