/*
 * scenefarm_jpeg.c — see include/scenefarm_jpeg.h.
 *
 * Every function that calls into libjpeg follows one pattern:
 *
 *   install sf_error_manager (error_exit longjmps, messages go to the caller's buffer, never stderr)
 *   if (setjmp(manager.jump)) { destroy; free; return SF_JPEG_ERROR; }
 *   ... libjpeg calls ...
 *
 * Locals changed after setjmp() and read after the longjmp are volatile (C11 7.13.2.1p3).
 */
#include "scenefarm_jpeg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
/* After jpeglib.h: jconfig.h decides which messages exist (arithmetic coding). */
#include <jerror.h>

typedef struct sf_error_manager {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *error;
    size_t error_capacity;
} sf_error_manager;

static void sf_set_error(char *buffer, size_t capacity, const char *format, ...) {
    if (buffer == NULL || capacity == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, capacity, format, args);
    va_end(args);
}

static void sf_error_exit(j_common_ptr cinfo) {
    sf_error_manager *manager = (sf_error_manager *)cinfo->err;
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    sf_set_error(manager->error, manager->error_capacity, "%s", message);
    longjmp(manager->jump, 1);
}

/* Warnings that mean the entropy-coded data is damaged or missing: libjpeg would go on and fill
 * the rest of the image with gray. Those are errors here; harmless ones (extraneous bytes before a
 * marker, a bad ICC marker, an unknown JFIF revision) are ignored. */
static int sf_is_fatal_warning(int code) {
    switch (code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        return 1;
    default:
        return 0;
    }
}

static void sf_emit_message(j_common_ptr cinfo, int level) {
    if (level < 0 && sf_is_fatal_warning(cinfo->err->msg_code)) sf_error_exit(cinfo);
    /* Trace and harmless warning messages are neither printed nor kept. */
}

static void sf_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void sf_install(sf_error_manager *manager, char *error, size_t error_capacity) {
    jpeg_std_error(&manager->pub);
    manager->pub.error_exit = sf_error_exit;
    manager->pub.emit_message = sf_emit_message;
    manager->pub.output_message = sf_output_message;
    manager->error = error;
    manager->error_capacity = error_capacity;
}

void sf_jpeg_free(void *buffer) { free(buffer); }

/* ---- decode ------------------------------------------------------------------------------------ */

int sf_jpeg_decode_rgba8(const uint8_t *data, size_t size, uint64_t max_image_bytes, sf_jpeg_info *info,
                         uint8_t **pixels, char *error, size_t error_capacity) {
    *pixels = NULL;
    memset(info, 0, sizeof(*info));
    if (data == NULL || size == 0) {
        sf_set_error(error, error_capacity, "JPEG data is empty");
        return SF_JPEG_ERROR;
    }
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        sf_set_error(error, error_capacity, "not a JPEG (no SOI marker)");
        return SF_JPEG_ERROR;
    }
    struct jpeg_decompress_struct cinfo;
    sf_error_manager manager;
    sf_install(&manager, error, error_capacity);
    cinfo.err = &manager.pub;
    uint8_t *volatile image = NULL;
    JSAMPLE *volatile row = NULL;
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(image);
        free(row);
        return SF_JPEG_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)size);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
        sf_set_error(error, error_capacity, "JPEG holds tables only, no image");
        jpeg_destroy_decompress(&cinfo);
        return SF_JPEG_ERROR;
    }
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        info->color = SF_JPEG_COLOR_GRAY;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo.out_color_space = JCS_EXT_RGBA;
        info->color = SF_JPEG_COLOR_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;
        info->color = SF_JPEG_COLOR_CMYK;
        info->adobe_inverted = cinfo.saw_Adobe_marker ? 1 : 0;
        break;
    default:
        sf_set_error(error, error_capacity, "unsupported JPEG colour space (%d components)", cinfo.num_components);
        jpeg_destroy_decompress(&cinfo);
        return SF_JPEG_ERROR;
    }
    info->width = cinfo.image_width;
    info->height = cinfo.image_height;
    const uint64_t bytes = (uint64_t)cinfo.image_width * (uint64_t)cinfo.image_height * 4u;
    if (bytes > max_image_bytes || bytes > (uint64_t)SIZE_MAX) {
        sf_set_error(error, error_capacity, "JPEG image %ux%u is too large (%llu decoded bytes, limit %llu)",
                     (unsigned)cinfo.image_width, (unsigned)cinfo.image_height, (unsigned long long)bytes,
                     (unsigned long long)max_image_bytes);
        jpeg_destroy_decompress(&cinfo);
        return SF_JPEG_ERROR;
    }
    jpeg_start_decompress(&cinfo);
    const size_t width = cinfo.output_width, height = cinfo.output_height;
    const int components = cinfo.output_components;
    image = (uint8_t *)malloc(width * height * 4u);
    row = (JSAMPLE *)malloc(width * (size_t)components);
    if (image == NULL || row == NULL) {
        sf_set_error(error, error_capacity, "out of memory for a %zux%zu JPEG", width, height);
        jpeg_destroy_decompress(&cinfo);
        free(image);
        free(row);
        return SF_JPEG_ERROR;
    }
    const int inverted = info->adobe_inverted;
    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *out = image + (size_t)cinfo.output_scanline * width * 4u;
        if (info->color == SF_JPEG_COLOR_RGB) {
            JSAMPROW rows[1] = {out};
            jpeg_read_scanlines(&cinfo, rows, 1);
            continue;
        }
        JSAMPROW rows[1] = {row};
        jpeg_read_scanlines(&cinfo, rows, 1);
        for (size_t x = 0; x < width; ++x) {
            uint8_t *p = out + x * 4u;
            if (components == 1) {
                p[0] = p[1] = p[2] = row[x];
            } else {
                /* Naive CMYK -> RGB: r = (1 - c)(1 - k). Photoshop (Adobe marker) stores 1 - c. */
                const JSAMPLE *s = row + x * 4u;
                unsigned c = s[0], m = s[1], y = s[2], k = s[3];
                if (!inverted) {
                    c = 255u - c;
                    m = 255u - m;
                    y = 255u - y;
                    k = 255u - k;
                }
                p[0] = (uint8_t)((c * k + 127u) / 255u);
                p[1] = (uint8_t)((m * k + 127u) / 255u);
                p[2] = (uint8_t)((y * k + 127u) / 255u);
            }
            p[3] = 255;
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    *pixels = image;
    return SF_JPEG_OK;
}

/* ---- encode ------------------------------------------------------------------------------------ */

int sf_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int components, int quality,
                   uint8_t **out, size_t *out_size, char *error, size_t error_capacity) {
    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
        sf_set_error(error, error_capacity, "JPEG size %ux%u is outside 1...%d", width, height, JPEG_MAX_DIMENSION);
        return SF_JPEG_ERROR;
    }
    if (components != 1 && components != 3 && components != 4) {
        sf_set_error(error, error_capacity, "JPEG encoding takes 1, 3 or 4 components, not %d", components);
        return SF_JPEG_ERROR;
    }
    if (quality < 1 || quality > 100) {
        sf_set_error(error, error_capacity, "JPEG quality %d is outside 1...100", quality);
        return SF_JPEG_ERROR;
    }
    /* jpeg_mem_dest writes the buffer and its size through these pointers at any call; kept on the
     * heap so their values survive a longjmp. */
    typedef struct sf_mem_dest {
        unsigned char *data;
        unsigned long size;
    } sf_mem_dest;
    sf_mem_dest *const dest = (sf_mem_dest *)calloc(1, sizeof(sf_mem_dest));
    if (dest == NULL) {
        sf_set_error(error, error_capacity, "out of memory");
        return SF_JPEG_ERROR;
    }
    struct jpeg_compress_struct cinfo;
    sf_error_manager manager;
    sf_install(&manager, error, error_capacity);
    cinfo.err = &manager.pub;
    if (setjmp(manager.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(dest->data);
        free(dest);
        return SF_JPEG_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &dest->data, &dest->size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    for (int i = 0; i < cinfo.num_components; ++i) {
        cinfo.comp_info[i].h_samp_factor = 1;
        cinfo.comp_info[i].v_samp_factor = 1;
    }
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW rows[1] = {(JSAMPROW)(pixels + (size_t)cinfo.next_scanline * width * (size_t)components)};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = dest->data;
    *out_size = dest->size;
    free(dest);
    return SF_JPEG_OK;
}
