/* The vendored real models (tests/models/<NAME>/) and their data. */
#ifndef QONNXC_TESTS_MODEL_DATA_H
#define QONNXC_TESTS_MODEL_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "value.h"

/* The seven models of ../shared/models, vendored into tests/models. */
extern const char *const real_models[];
enum { N_REAL_MODELS = 7 };

/* TESTS_DIR "/models/<name>/<file>" into buf. */
const char *model_path(char *buf, int size, const char *name, const char *file);

/* The folder of the shared models beside the clone (../shared/models, which
 * CI provides read-only), or $QONNXC_SHARED_MODELS when set (a worktree). */
const char *shared_models_dir(void);
/* shared_models_dir() "/<name>/<file>" into buf. */
const char *shared_model_path(char *buf, int size, const char *name, const char *file);
/* Whether shared model <name> is there; if not, prints that the caller
 * skips it and why. */
bool shared_model_present(const char *name);
/* The folder of model `name` (holding model.onnx and inputs.npy): under
 * tests/models when vendored there, else under shared_models_dir(). False
 * when neither has it. */
bool shared_model_dir(const char *name, char *out, size_t size);

/* An .npy file as a float32 Value (any dtype converted); NULL on error,
 * after failing the current Check test with the message. */
Value *load_npy_value(const char *path);

/* Index of the largest element of frame f of a [N, C] value. */
int64_t argmax_frame(const Value *v, int64_t f);

#endif
