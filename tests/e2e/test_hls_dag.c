/* The hls target on the dataflow DAG: the three shared models with
 * residual blocks (FORK, JOIN), depthwise convolutions (VVAU) and average
 * pools (POOL), each with its configs/<model>.yaml, and ResNet-W2A2 with
 * automatic folding at two target_fps:
 *
 *   qonnxc build MODEL -c CONFIG -o DIR --target hls
 *   make -C DIR/hls                       (C99, -Wall -Wextra -Werror -pedantic)
 *   ./<name>_csim [--int] IN.npy OUT.npy  on the first frames of inputs.npy
 *
 * Against the int engine the integers must be equal and the floats
 * bit-identical. A few frames only (the whole inputs.npy runs in bench);
 * the emitted top calls the FORK with two outputs and the JOIN with two
 * inputs, and two builds are byte-identical. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_util.h"
#include "emit_util.h"
#include "emit_ref.h"
#include "exec.h"
#include "frontend.h"
#include "model_data.h"
#include "npy.h"
#include "run_cli.h"
#include "streamline.h"

typedef struct Model {
    const char *dir, *config;   /* config NULL: automatic folding at target_fps */
    int target_fps, frames;
} Model;

static const Model models[] = {
    { "RESNET_W2A2_RANDOM", "RESNET_W2A2", 0, 2 },
    { "MOBILENET_W4A4_RANDOM", "MOBILENET_W4A4", 0, 2 },
    { "RESNET20_W4A4_RANDOM", "RESNET20_W4A4", 0, 1 },
    { "RESNET_W2A2_RANDOM", NULL, 400, 1 },
    { "RESNET_W2A2_RANDOM", NULL, 4000, 1 },
};

/* qonnxc build --target hls into dir/out, then make; the csim's path into exe. */
static void build_and_make(const Model *m, const char *model, const char *dir, char *exe,
                           size_t size)
{
    char name[64], cfg[600];
    if (m->config) {
        snprintf(cfg, sizeof cfg, TESTS_DIR "/../configs/%s.yaml", m->config);
    } else {
        char yaml[128];
        snprintf(cfg, sizeof cfg, "%s/auto.yaml", dir);
        snprintf(yaml, sizeof yaml, "clock_mhz: 100\ntarget_fps: %d\n", m->target_fps);
        write_whole_file(cfg, yaml);
    }
    int rc = run_shell("'%s' build '%s' -c '%s' -o '%s/out' --target hls > '%s/build.log' 2>&1",
                       QONNXC_BIN, model, cfg, dir, dir);
    ck_assert_msg(rc == 0, "qonnxc build %s failed (%d), see %s/build.log", m->dir, rc, dir);
    rc = run_shell("make -s -C '%s/out/hls' > '%s/make.log' 2>&1", dir, dir);
    ck_assert_msg(rc == 0, "make for %s failed (%d), see %s/make.log", m->dir, rc, dir);
    ref_model_name(model, name, sizeof name);
    snprintf(exe, size, "%s/out/hls/%s_csim", dir, name);
    ck_assert_msg(file_exists(exe), "no executable %s", exe);
}

/* The first `frames` frames of the model's inputs.npy. */
static Value *first_frames(const char *model_dir, int frames)
{
    char path[512];
    Value *all = load_npy_value(shared_model_path(path, sizeof path, model_dir, "inputs.npy"));
    Shape s = all->shape;
    s.dims[0] = frames;
    Value *v = value_new(ET_FLOAT, &s);
    memcpy(v->f, all->f, (size_t)v->count * sizeof(float));
    value_free(all);
    return v;
}

START_TEST(test_csim_bit_exact)
{
    const Model *m = &models[_i];
    if (!shared_model_present(m->dir))
        return;
    char model[512], exe[512], in_path[600], f_path[600], i_path[600];
    shared_model_path(model, sizeof model, m->dir, "model.onnx");
    char *dir = make_temp_dir("hls-dag");
    build_and_make(m, model, dir, exe, sizeof exe);

    /* the top: FORKs write two streams, JOINs read two */
    snprintf(in_path, sizeof in_path, "%s/out/hls/top.c", dir);
    char *top = read_whole_file(in_path, NULL);
    ck_assert_ptr_nonnull(top);
    bool resnet = !strncmp(m->dir, "RESNET", 6);
    ck_assert_int_eq(strstr(top, ": FORK\n") != NULL, resnet);
    ck_assert_int_eq(strstr(top, ": JOIN\n") != NULL, resnet);
    ck_assert_int_eq(strstr(top, "VVAU (depthwise convolution)") != NULL, !resnet);
    ck_assert(strstr(top, "POOL (average pool)"));
    free(top);

    Diag d;
    diag_init(&d);
    Graph *ig = frontend_load(model, &d);
    ck_assert_msg(ig && streamline_graph(ig, true, &d), "%s", d.msg);
    expose_integers(ig);
    Value *in = first_frames(m->dir, m->frames);
    snprintf(in_path, sizeof in_path, "%s/in.npy", dir);
    snprintf(f_path, sizeof f_path, "%s/out.npy", dir);
    snprintf(i_path, sizeof i_path, "%s/int.npy", dir);
    ck_assert_msg(npy_write_f32(in_path, in->f, in->shape.rank, in->shape.dims, &d), "%s", d.msg);
    ck_assert_int_eq(run_shell("'%s' '%s' '%s'", exe, in_path, f_path), 0);
    ck_assert_int_eq(run_shell("'%s' --int '%s' '%s'", exe, in_path, i_path), 0);

    Value *eng[2];
    ck_assert_msg(exec_run_frames(ig, (const Value *const *)&in, eng, &d), "%s", d.msg);
    NpyArray rf, ri;
    ck_assert_msg(npy_read(f_path, &rf, &d), "%s", d.msg);
    ck_assert_msg(npy_read(i_path, &ri, &d), "%s", d.msg);
    ck_assert_int_eq(rf.dtype, NPY_F32);
    ck_assert_int_eq(ri.dtype, NPY_I32);
    ck_assert_int_eq(rf.count, eng[0]->count);
    ck_assert_int_eq(ri.count, eng[1]->count);
    const int32_t *ints = ri.data;
    for (int64_t k = 0; k < ri.count; k++)
        ck_assert_msg(ints[k] == eng[1]->i[k], "%s: integer %lld: csim %d, int engine %lld",
                      m->dir, (long long)k, ints[k], (long long)eng[1]->i[k]);
    ck_assert_msg(memcmp(rf.data, eng[0]->f, (size_t)rf.count * sizeof(float)) == 0,
                  "%s: floats not bit-identical to the int engine's", m->dir);
    if (m->config)
        printf("%-22s hls csim bit-exact on %d frame(s) of inputs.npy\n", m->dir, m->frames);
    else
        printf("%-22s target_fps %d: hls csim bit-exact on %d frame(s) of inputs.npy\n",
               m->dir, m->target_fps, m->frames);
    npy_free(&rf);
    npy_free(&ri);
    value_free(eng[0]);
    value_free(eng[1]);
    value_free(in);
    graph_free(ig);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_byte_identical)
{
    const char *model_dir = "RESNET_W2A2_RANDOM";
    if (!shared_model_present(model_dir))
        return;
    char model[512], a[600], b[600];
    shared_model_path(model, sizeof model, model_dir, "model.onnx");
    char *dir = make_temp_dir("hls-dag-twice");
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    for (int k = 0; k < 2; k++)
        ck_assert_int_eq(run_shell("'%s' build '%s' -c '" TESTS_DIR "/../configs/RESNET_W2A2.yaml'"
                                   " -o '%s' --target hls > /dev/null 2>&1", QONNXC_BIN, model,
                                   k ? b : a), 0);
    TextBuf ta, tb;
    tb_init(&ta);
    tb_init(&tb);
    collect_tree(a, &ta);
    collect_tree(b, &tb);
    ck_assert(strstr(ta.data, "== hls/top.c ("));
    ck_assert_msg(ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0, "two builds differ");
    tb_free(&ta);
    tb_free(&tb);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hls_dag");
    TCase *tc = tcase_create("hls_dag");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_csim_bit_exact, 0, (int)(sizeof models / sizeof models[0]));
    tcase_add_test(tc, test_byte_identical);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
