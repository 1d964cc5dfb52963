/* The vendored real models (tests/models/<NAME>/) and their data. */
#ifndef QONNXC_TESTS_MODEL_DATA_H
#define QONNXC_TESTS_MODEL_DATA_H

#include "value.h"

/* The seven models of ../shared/models, vendored into tests/models. */
extern const char *const real_models[];
enum { N_REAL_MODELS = 7 };

/* TESTS_DIR "/models/<name>/<file>" into buf. */
const char *model_path(char *buf, int size, const char *name, const char *file);

/* An .npy file as a float32 Value (any dtype converted); NULL on error,
 * after failing the current Check test with the message. */
Value *load_npy_value(const char *path);

/* Index of the largest element of frame f of a [N, C] value. */
int64_t argmax_frame(const Value *v, int64_t f);

#endif
