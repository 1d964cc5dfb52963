#include "model_data.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

const char *const real_models[] = {
    "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2",
    "CNV_1W1A_RANDOM", "CNV_1W2A_RANDOM", "CNV_2W2A_RANDOM",
};

const char *model_path(char *buf, int size, const char *name, const char *file)
{
    snprintf(buf, (size_t)size, "%s/models/%s/%s", TESTS_DIR, name, file);
    return buf;
}

const char *shared_models_dir(void)
{
    const char *env = getenv("QONNXC_SHARED_MODELS");
    return env && *env ? env : TESTS_DIR "/../../shared/models";
}

const char *shared_model_path(char *buf, int size, const char *name, const char *file)
{
    snprintf(buf, (size_t)size, "%s/%s/%s", shared_models_dir(), name, file);
    return buf;
}

bool shared_model_present(const char *name)
{
    char path[512];
    FILE *f = fopen(shared_model_path(path, sizeof path, name, "model.onnx"), "rb");
    if (f) {
        fclose(f);
        return true;
    }
    printf("%s skipped: %s is absent (the shared models live beside the clone, in "
           "../shared/models, or set QONNXC_SHARED_MODELS)\n", name, path);
    return false;
}

bool shared_model_dir(const char *name, char *out, size_t size)
{
    const char *roots[] = { TESTS_DIR "/models", shared_models_dir() };
    for (int k = 0; k < 2; k++) {
        snprintf(out, size, "%s/%s/model.onnx", roots[k], name);
        FILE *f = fopen(out, "rb");
        if (f) {
            fclose(f);
            snprintf(out, size, "%s/%s", roots[k], name);
            return true;
        }
    }
    return false;
}

Value *load_npy_value(const char *path)
{
    Diag d;
    diag_init(&d);
    NpyArray a;
    float *f = NULL;
    if (!npy_read(path, &a, &d) || !npy_to_f32(&a, &f, &d)) {
        ck_abort_msg("%s", d.msg);
        return NULL;
    }
    Shape s = { a.rank, { 0 } };
    memcpy(s.dims, a.shape, sizeof(int64_t) * (size_t)a.rank);
    Value *v = value_new(ET_FLOAT, &s);
    ck_assert_ptr_nonnull(v);
    memcpy(v->f, f, sizeof(float) * (size_t)v->count);
    free(f);
    npy_free(&a);
    return v;
}

int64_t argmax_frame(const Value *v, int64_t f)
{
    int64_t classes = v->count / v->shape.dims[0], best = 0;
    for (int64_t c = 1; c < classes; c++)
        if (value_get(v, f * classes + c) > value_get(v, f * classes + best))
            best = c;
    return best;
}
