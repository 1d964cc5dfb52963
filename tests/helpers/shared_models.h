/* The models of ../shared/models that are not vendored into tests/models
 * (issue 14's ResNet and MobileNet exports). */
#ifndef QONNXC_TESTS_SHARED_MODELS_H
#define QONNXC_TESTS_SHARED_MODELS_H

#include <stdbool.h>
#include <stddef.h>

/* The folder of model `name` (holding model.onnx and inputs.npy): under
 * tests/models when vendored there, else $QONNXC_SHARED_MODELS, else
 * ../shared/models beside the source tree. False when none has it. */
bool shared_model_dir(const char *name, char *out, size_t size);

#endif
