/* Front end and golden executor speed, as JSON on stdout:
 *   load_cleanup_ms   load + cleanup of CNV_2W2A_RANDOM (best of 10)
 *   golden_32_frames_s  32 CNV_2W2A frames through the golden executor (best of 3)
 * Targets (issue 2): under 100 ms and under 2 s on a 2-core machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "frontend.h"
#include "npy.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static Value *frames_from_npy(const char *path, int64_t frames)
{
    Diag d;
    diag_init(&d);
    NpyArray a;
    float *f = NULL;
    if (!npy_read(path, &a, &d) || !npy_to_f32(&a, &f, &d)) {
        fprintf(stderr, "%s\n", d.msg);
        exit(1);
    }
    Shape s = { a.rank, { 0 } };
    memcpy(s.dims, a.shape, sizeof(int64_t) * (size_t)a.rank);
    if (s.dims[0] > frames)
        s.dims[0] = frames;
    Value *v = value_new(ET_FLOAT, &s);
    memcpy(v->f, f, sizeof(float) * (size_t)v->count);
    free(f);
    npy_free(&a);
    return v;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : QONNXC_SOURCE_DIR "/tests/models/CNV_2W2A_RANDOM";
    char model[512], inputs[512];
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    snprintf(inputs, sizeof inputs, "%s/inputs.npy", dir);
    Diag d;
    diag_init(&d);

    double best_load = 1e9;
    Graph *g = NULL;
    for (int r = 0; r < 10; r++) {
        graph_free(g);
        double t0 = now();
        g = frontend_load(model, &d);
        double t = now() - t0;
        if (!g) {
            fprintf(stderr, "%s\n", d.msg);
            return 1;
        }
        best_load = t < best_load ? t : best_load;
    }

    Value *in = frames_from_npy(inputs, 32);
    double best_run = 1e9;
    for (int r = 0; r < 3; r++) {
        Value *out = NULL;
        double t0 = now();
        if (!exec_run_frames(g, (const Value *const *)&in, &out, &d)) {
            fprintf(stderr, "%s\n", d.msg);
            return 1;
        }
        double t = now() - t0;
        best_run = t < best_run ? t : best_run;
        value_free(out);
    }
    printf("{\n  \"model\": \"%s\",\n  \"load_cleanup_ms\": %.2f,\n"
           "  \"golden_frames\": %lld,\n  \"golden_32_frames_s\": %.3f,\n"
           "  \"golden_frames_per_s\": %.1f,\n"
           "  \"targets\": {\"load_cleanup_ms\": 100, \"golden_32_frames_s\": 2.0}\n}\n",
           model, best_load * 1e3, (long long)in->shape.dims[0], best_run,
           (double)in->shape.dims[0] / best_run);
    value_free(in);
    graph_free(g);
    return 0;
}
