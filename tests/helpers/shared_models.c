#include "shared_models.h"

#include <stdio.h>
#include <stdlib.h>

#include "run_cli.h"

bool shared_model_dir(const char *name, char *out, size_t size)
{
    const char *shared = getenv("QONNXC_SHARED_MODELS");
    const char *roots[] = { TESTS_DIR "/models", shared && shared[0] ? shared : NULL,
                            QONNXC_SOURCE_DIR "/../shared/models" };
    for (int k = 0; k < 3; k++) {
        if (!roots[k])
            continue;
        snprintf(out, size, "%s/%s/model.onnx", roots[k], name);
        if (file_exists(out)) {
            snprintf(out, size, "%s/%s", roots[k], name);
            return true;
        }
    }
    return false;
}
