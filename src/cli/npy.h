/* NumPy .npy files: read (format versions 1.0, 2.0 and 3.0) and write (1.0).
 *
 * Arrays are held in native byte order, C (row-major) order. Big-endian files
 * are byte-swapped on reading; Fortran-order files are rejected. Every
 * failure fills the Diag with a message starting with the file name, e.g.
 *   "in.npy: Fortran-order arrays are not supported"
 * and sets the exit code EXIT_BAD_DATA (EXIT_INTERNAL for invalid arguments
 * passed by the caller). The parser accepts any byte sequence without
 * reading out of bounds; it is meant to be fuzzed through npy_read_mem. */
#ifndef QONNXC_NPY_H
#define QONNXC_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum {
    NPY_F32, NPY_F64,
    NPY_I8, NPY_I16, NPY_I32, NPY_I64,
    NPY_U8, NPY_U16, NPY_U32, NPY_U64,
    NPY_BOOL,
} NpyDtype;

#define NPY_MAX_RANK 8
/* Largest array data accepted or written, in bytes. */
#define NPY_MAX_BYTES ((uint64_t)4 << 30)

typedef struct {
    NpyDtype dtype;
    int rank;                      /* 0 for a scalar */
    int64_t shape[NPY_MAX_RANK];   /* shape[rank..] are 0 */
    int64_t count;                 /* product of shape; 1 for a scalar */
    void *data;                    /* malloc'ed, native layout, C order; never NULL after a successful read */
} NpyArray;

/* Size in bytes of one element, and the little-endian descr ("<f4", "|b1"). */
size_t npy_dtype_size(NpyDtype t);
const char *npy_dtype_name(NpyDtype t);

/* Reads a whole file. On failure *out is zeroed (npy_free is then a no-op). */
bool npy_read(const char *path, NpyArray *out, Diag *d);
/* The same parser on a buffer; name (may be NULL) is used in messages. */
bool npy_read_mem(const void *buf, size_t len, const char *name, NpyArray *out, Diag *d);

/* Converts any dtype to a new malloc'ed float32 buffer of a->count elements
 * (bool -> 0/1, 64-bit integers and f64 rounded to nearest). */
bool npy_to_f32(const NpyArray *a, float **out, Diag *d);

/* Writes a version 1.0 file, byte-identical to numpy.save. The file is
 * written to "<path>.tmp" and renamed, so a failure leaves no partial file. */
bool npy_write(const char *path, const NpyArray *a, Diag *d);
bool npy_write_f32(const char *path, const float *data, int rank, const int64_t *shape, Diag *d);

void npy_free(NpyArray *a);

#endif
