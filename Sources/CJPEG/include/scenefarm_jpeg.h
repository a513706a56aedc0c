/*
 * scenefarm_jpeg.h — an exit-free, longjmp-contained facade over libjpeg(-turbo).
 *
 * libjpeg's default error manager prints the message and calls exit(). Here every libjpeg call is
 * made from C under a setjmp() in the same function, with an error manager whose error_exit
 * longjmp()s back there; each entry point returns a status code (0 = success) and writes a
 * NUL-terminated message into a caller buffer. Swift never sees a longjmp.
 *
 * Non-goals: no progressive encoding, no colour management (ICC profiles are ignored), no
 * streaming; whole images in memory.
 */
#ifndef SCENEFARM_JPEG_H
#define SCENEFARM_JPEG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Suggested size of the error message buffers passed to every function. */
#define SF_JPEG_ERROR_CAPACITY 256

#define SF_JPEG_OK 0
#define SF_JPEG_ERROR 1

/* Colour spaces of a JPEG file, as its header declares them after libjpeg's defaults. */
#define SF_JPEG_COLOR_GRAY 1
#define SF_JPEG_COLOR_RGB 2  /* YCbCr or RGB in the file */
#define SF_JPEG_COLOR_CMYK 4 /* CMYK or YCCK in the file */

typedef struct sf_jpeg_info {
    uint32_t width;
    uint32_t height;
    int color;          /* SF_JPEG_COLOR_* */
    int adobe_inverted; /* CMYK only: an Adobe APP14 marker, so samples are stored inverted (Photoshop) */
} sf_jpeg_info;

/*
 * Decodes a whole JPEG from `data` into RGBA8 (rows top first, alpha 255). Gray is replicated,
 * CMYK/YCCK is converted with the naive (profile-free) formula. Reads the header first and fails,
 * before allocating anything for the image, when width * height * 4 would exceed `max_image_bytes`;
 * `info` is filled from the header. `*pixels` is set to a malloc'd buffer of width * height * 4
 * bytes on success (free it with sf_jpeg_free), NULL on failure. Truncated data is an error
 * (libjpeg would pad it with gray and warn).
 */
int sf_jpeg_decode_rgba8(const uint8_t *data, size_t size, uint64_t max_image_bytes, sf_jpeg_info *info,
                         uint8_t **pixels, char *error, size_t error_capacity);

/*
 * Encodes width x height pixels of `components` samples each (1 gray, 3 RGB, 4 CMYK written with
 * an Adobe marker, i.e. inverted as Photoshop stores it: pass 255 - C etc.) at `quality` 1...100,
 * without chroma subsampling. `*out` / `*out_size` receive a malloc'd buffer (free with sf_jpeg_free).
 */
int sf_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int components, int quality,
                   uint8_t **out, size_t *out_size, char *error, size_t error_capacity);

void sf_jpeg_free(void *buffer);

#ifdef __cplusplus
}
#endif

#endif /* SCENEFARM_JPEG_H */
