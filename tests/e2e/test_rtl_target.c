/* The rtl target end to end (rtl/emit_rtl.h, sim/rtlsim_main.cpp):
 *
 *   qonnxc build MODEL -c CONFIG --target ref,rtl -o DIR
 *   make -C DIR/rtl lint        verilator --lint-only -Wall: clean, every model
 *   make -C DIR/rtl sim         Verilator
 *   ./<name>_rtlsim [--int] IN.npy OUT.npy, against the ref target's
 *                               executor: byte-identical .npy files
 *   rtlsim.json                 cycles per frame within 5 % of the estimated
 *                               bottleneck (TFC-W1A1: 64, CNV: 32,768) with
 *                               FIFOs deep enough, never below it
 *
 * Every shared model is simulated at its config's folding: TFC-W1A1/W1A2/
 * W2A2 and UNSW on all of inputs.npy, the three CNVs on 3 frames
 * (CNV-W1A1 and CNV-W2A2 with deep FIFOs, the throughput FINN's folding
 * gives; CNV-W1A2 with the config's FIFO depth of 32 as it is, which is
 * slower than the estimate but must stay bit-exact).
 *
 * FIFOs: --size-fifos on TFC-W1A1 (fewer bits than max-occupancy sizing,
 * within 1 % of the deep FIFOs' cycles); TFC-W1A1 with every FIFO at the
 * smallest depth qnn_fifo implements (2) still completes bit-exact, only
 * slower, and the run-time depth limit FIFO sizing uses gives the same run (a chain of modules, each draining into the next, cannot
 * deadlock); depths the config or qnn_fifo cannot take are build errors.
 * The watchdog: since small FIFOs cannot stall the chain, the stall is an
 * output that never becomes ready (--output-never-ready); the simulation
 * must stop with exit status 3 and name the blocked stream (m_axis), not
 * hang.
 *
 * Also: `qonnxc verify --target rtl` on TFC-W1A1.
 *
 * Runtime: each Verilator build takes 20-70 s (up to 2 min for a CNV on a
 * busy machine), 11 builds in all. Under AddressSanitizer the Verilator
 * builds are skipped (the emitted C++ is not what this suite checks for
 * leaks, and they are slow there). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "e2e_util.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* Every value of `key` in the JSON file at path, in order (at most max);
 * returns how many there are. */
static int json_ints(const char *path, const char *key, long long *v, int max)
{
    static char text[1 << 16];
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "no %s", path);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    int count = 0;
    for (const char *p = text; (p = strstr(p, pat)) != NULL; p += strlen(pat))
        if (count < max)
            v[count++] = atoll(p + strlen(pat));
    return count;
}

static long long json_int(const char *path, const char *key)
{
    long long v = 0;
    ck_assert_msg(json_ints(path, key, &v, 1) == 1, "%s has no %s", path, key);
    return v;
}

/* Builds MODEL with CONFIG (extra: more build options) into dir/build. */
static void build(const char *dir, const char *model, const char *config, const char *extra)
{
    ck_assert_int_eq(shell("'%s' build '%s/models/%s/model.onnx' -c '%s' --target ref,rtl %s "
                           "-o '%s/build' > '%s/build.log' 2>&1", QONNXC_BIN, TESTS_DIR, model,
                           config, extra, dir, dir), 0);
}

static const char *config_of(const char *model, char *buf, size_t size)
{
    char stem[64];
    snprintf(stem, sizeof stem, "%s", model);
    char *r = strstr(stem, "_RANDOM");
    if (r)
        *r = '\0';
    snprintf(buf, size, "%s/../configs/%s.yaml", TESTS_DIR, stem);
    return buf;
}

static const char *const models[] = { "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2",
                                      "CNV_1W1A_RANDOM", "CNV_1W2A_RANDOM", "CNV_2W2A_RANDOM" };
#define N_MODELS (int)(sizeof models / sizeof models[0])

/* verilator --lint-only -Wall on every generated design: no output at all */
START_TEST(lint_every_model)
{
    char dir[4096], cfg[4096];
    scratch_dir(dir, sizeof dir, "rtl-e2e");
    build(dir, models[_i], config_of(models[_i], cfg, sizeof cfg), "");
    ck_assert_int_eq(shell("make -s -C '%s/build/rtl' lint > '%s/lint.log' 2>&1", dir, dir), 0);
    ck_assert_int_eq(shell("test ! -s '%s/lint.log'", dir), 0);
    /* deterministic: a second build is byte-identical */
    ck_assert_int_eq(shell("'%s' build '%s/models/%s/model.onnx' -c '%s' --target rtl -o '%s/again' "
                           "> /dev/null && diff -r '%s/build/rtl' '%s/again/rtl' > /dev/null",
                           QONNXC_BIN, TESTS_DIR, models[_i], cfg, dir, dir, dir), 0);
    shell("rm -rf '%s'", dir);
}
END_TEST

/* Simulates `frames` frames of inputs.npy; outputs byte-identical with the
 * ref target's; returns the measured cycles per frame. */
static long long simulate(const char *dir, const char *model, int frames)
{
    char name[64];
    snprintf(name, sizeof name, "%s", model);
    for (char *c = name; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    ck_assert_int_eq(shell("make -s -C '%s/build/rtl' sim > '%s/sim_build.log' 2>&1", dir, dir), 0);
    ck_assert_int_eq(shell("make -s -C '%s/build/ref' > /dev/null 2>&1", dir), 0);
    /* frames > 0: the first `frames` frames of inputs.npy (a float32 .npy
     * version 1.0, rewritten here); else all of them */
    char in[4096];
    snprintf(in, sizeof in, "%s/models/%s/inputs.npy", TESTS_DIR, model);
    if (frames > 0) {
        /* rewrite the header's leading dimension: .npy v1, shape (N, ...) */
        FILE *f = fopen(in, "rb");
        ck_assert_ptr_nonnull(f);
        static unsigned char buf[1 << 22];
        ck_assert_uint_gt(fread(buf, 1, sizeof buf, f), 10);
        fclose(f);
        unsigned hl = buf[8] | buf[9] << 8;
        char header[1024];
        memcpy(header, buf + 10, hl);
        header[hl] = '\0';
        char *shape = strstr(header, "'shape': (");
        ck_assert_ptr_nonnull(shape);
        long total = strtol(shape + 10, NULL, 10);
        char *rest = strchr(shape, ',');
        long per = 1;
        for (char *p = rest; p && *p && *p != ')'; p++)
            if (*p >= '0' && *p <= '9')
                per *= strtol(p, &p, 10), p--;
        ck_assert_int_ge(total, frames);
        char nh[1024];
        int len = snprintf(nh, sizeof nh, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d%.*s), }",
                           frames, (int)(strchr(rest, ')') - rest), rest);
        int pad = 64 - (10 + len + 1) % 64;
        snprintf(in, sizeof in, "%s/in.npy", dir);
        f = fopen(in, "wb");
        ck_assert_ptr_nonnull(f);
        unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
        pre[8] = (unsigned char)((len + pad + 1) & 0xff);
        pre[9] = (unsigned char)((len + pad + 1) >> 8);
        fwrite(pre, 1, 10, f);
        fwrite(nh, 1, (size_t)len, f);
        for (int k = 0; k < pad; k++)
            fputc(' ', f);
        fputc('\n', f);
        fwrite(buf + 10 + hl, 4, (size_t)(frames * per), f);
        fclose(f);
    }
    ck_assert_int_eq(shell("cd '%s' && build/rtl/%s_rtlsim --quiet --int '%s' rtl_int.npy && "
                           "build/rtl/%s_rtlsim --quiet '%s' rtl_f.npy && "
                           "build/ref/%s --int '%s' ref_int.npy && build/ref/%s '%s' ref_f.npy",
                           dir, name, in, name, in, name, in, name, in), 0);
    ck_assert_msg(shell("cmp -s '%s/rtl_int.npy' '%s/ref_int.npy'", dir, dir) == 0,
                  "%s: the rtl simulation's integers differ from the ref target's", model);
    ck_assert_msg(shell("cmp -s '%s/rtl_f.npy' '%s/ref_f.npy'", dir, dir) == 0,
                  "%s: the rtl simulation's outputs differ from the ref target's", model);
    char json[4200];
    snprintf(json, sizeof json, "%s/rtlsim.json", dir);
    return json_int(json, "cycles_per_frame");
}

static const char *const sim_models[] = { "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2" };

START_TEST(bit_exact_mlps)
{
    if (SANITIZED)
        return;
    char dir[4096], cfg[4096];
    scratch_dir(dir, sizeof dir, "rtl-e2e");
    build(dir, sim_models[_i], config_of(sim_models[_i], cfg, sizeof cfg), "");
    simulate(dir, sim_models[_i], 0);
    shell("rm -rf '%s'", dir);
}
END_TEST

/* TFC-W1A1 at FINN's folding, FIFOs sized by simulation: bit-exact, 64
 * cycles per frame; then the watchdog */
START_TEST(tfc_w1a1_cycles_and_watchdog)
{
    if (SANITIZED)
        return;
    char dir[4096], cfg[4096];
    scratch_dir(dir, sizeof dir, "rtl-e2e");
    build(dir, "TFC_1W1A", config_of("TFC_1W1A", cfg, sizeof cfg), "--size-fifos");
    long long cycles = simulate(dir, "TFC_1W1A", 0);
    ck_assert_msg(cycles * 100 <= 64 * 105 && cycles * 100 >= 64 * 95,
                  "TFC-W1A1: %lld cycles per frame, estimate 64", cycles);
    /* the search ends at or below max-occupancy sizing (fewer bits: TFC's
     * max occupancies 1, 6, 7, 1 give 208 bits, the search 112), within 1 %
     * of the deep FIFOs' cycles */
    char log[4200];
    snprintf(log, sizeof log, "%s/build.log", dir);
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    long long before = -1, after = -1, sized = -1, deep = -1;
    while (fgets(line, sizeof line, f)) {
        const char *at = strstr(line, "FIFO bits: max-occupancy sizing ");
        if (at)
            sscanf(at, "FIFO bits: max-occupancy sizing %lld, sized %lld", &before, &after);
        at = strstr(line, "sized FIFOs: ");
        if (at)
            sscanf(at, "sized FIFOs: %lld cycles per frame (deep %lld)", &sized, &deep);
    }
    fclose(f);
    ck_assert_msg(before > 0 && after > 0 && after <= before, "FIFO bits %lld -> %lld", before,
                  after);
    ck_assert_msg(deep == 64 && sized >= deep && sized * 100 <= deep * 101,
                  "sized %lld, deep %lld cycles per frame", sized, deep);
    /* an output that never becomes ready: the watchdog, exit 3, names m_axis */
    int rc = shell("cd '%s' && timeout 60 build/rtl/tfc_1w1a_rtlsim --quiet --output-never-ready "
                   "--watchdog 5000 '%s/models/TFC_1W1A/inputs.npy' wd.npy 2> wd.log", dir,
                   TESTS_DIR);
    ck_assert_int_eq(rc, 3);
    ck_assert_int_eq(shell("grep -q 'watchdog: no output beat for' '%s/wd.log' && "
                           "grep -q 'blocked stream: m_axis' '%s/wd.log'", dir, dir), 0);
    shell("rm -rf '%s'", dir);
}
END_TEST

/* TFC-W1A1 with every FIFO at depth 2, the least qnn_fifo holds: the chain
 * cannot deadlock, so all of inputs.npy completes (well within the default
 * watchdog), bit-exact, only slower than the estimate */
START_TEST(tfc_w1a1_smallest_fifos)
{
    if (SANITIZED)
        return;
    char dir[4096], cfg[4200];
    scratch_dir(dir, sizeof dir, "rtl-e2e");
    snprintf(cfg, sizeof cfg, "%s/tfc.yaml", dir);
    ck_assert_int_eq(shell("sed 's/^fifo_depth: .*/fifo_depth: 2/' '%s/../configs/TFC_1W1A.yaml' "
                           "> '%s'", TESTS_DIR, cfg), 0);
    build(dir, "TFC_1W1A", cfg, "");
    long long cycles = simulate(dir, "TFC_1W1A", 0);
    char json[4200];
    snprintf(json, sizeof json, "%s/rtlsim.json", dir);
    long long depth[16], occ[16];
    int n = json_ints(json, "depth", depth, 16);
    ck_assert_int_ge(n, 3);
    ck_assert_int_eq(json_ints(json, "max_occupancy", occ, 16), n);
    for (int k = 0; k < n; k++) {
        ck_assert_int_eq(depth[k], 2);
        ck_assert_int_le(occ[k], 2);
    }
    ck_assert_int_eq(json_int(json, "estimated_cycles_per_frame"), 64);
    ck_assert_msg(cycles >= 64, "TFC-W1A1 with depth-2 FIFOs: %lld cycles per frame, faster "
                  "than its bottleneck layer (64)", cycles);
    /* FIFO sizing's build (make sim FIFO_LIMITS=1) of the config's depth-32
     * design, run with every FIFO limited to 2 beats (--fifo-depths), is the
     * depth-2 design cycle for cycle: the same cycles per frame and maximum
     * occupancies, the same outputs. The plain build refuses the option. */
    ck_assert_int_eq(shell("'%s' build '%s/models/TFC_1W1A/model.onnx' -c "
                           "'%s/../configs/TFC_1W1A.yaml' --target rtl -o '%s/probe' > /dev/null "
                           "&& make -s -C '%s/probe/rtl' sim FIFO_LIMITS=1 > '%s/probe.log' 2>&1",
                           QONNXC_BIN, TESTS_DIR, TESTS_DIR, dir, dir, dir), 0);
    ck_assert_int_eq(shell("cd '%s' && mkdir -p lim && probe/rtl/tfc_1w1a_rtlsim --quiet "
                           "--int --fifo-depths 2,2,2,2 '%s/models/TFC_1W1A/inputs.npy' "
                           "lim/rtl_int.npy && cmp -s lim/rtl_int.npy rtl_int.npy", dir,
                           TESTS_DIR), 0);
    char lim_json[4200];
    snprintf(lim_json, sizeof lim_json, "%s/lim/rtlsim.json", dir);
    ck_assert_int_eq(json_int(lim_json, "cycles_per_frame"), cycles);
    long long lim_depth[16], lim_occ[16];
    ck_assert_int_eq(json_ints(lim_json, "depth", lim_depth, 16), n);
    ck_assert_int_eq(json_ints(lim_json, "max_occupancy", lim_occ, 16), n);
    for (int k = 0; k < n; k++) {
        ck_assert_int_eq(lim_depth[k], 2);
        ck_assert_int_eq(lim_occ[k], occ[k]);
    }
    ck_assert_int_eq(shell("cd '%s' && probe/rtl/tfc_1w1a_rtlsim --quiet --random 2 "
                           "--fifo-depths 2,2,1,2 2> bad.log", dir), 2);
    ck_assert_int_eq(shell("grep -q 'entry 2: FIFO l5_fifo_2 takes a depth from 2 to its built depth 32' "
                           "'%s/bad.log'", dir), 0);
    ck_assert_int_eq(shell("cd '%s' && build/rtl/tfc_1w1a_rtlsim --quiet --random 2 "
                           "--fifo-depths 2,2,2,2 2> plain.log", dir), 2);
    ck_assert_int_eq(shell("grep -q 'this simulation has fixed FIFO depths' '%s/plain.log'",
                           dir), 0);
    shell("rm -rf '%s'", dir);
}
END_TEST

/* FIFO depths that cannot be built: 0 is a config error; 1 (which the HLS
 * target takes) is an rtl build error naming the FIFO and the layer it
 * feeds, globally or from a folding entry; nothing is written either way */
START_TEST(fifo_depth_errors)
{
    static const struct {
        const char *config, *message;
    } cases[] = {
        { "fifo_depth: 0\n", "'fifo_depth' must be in \\[1," },
        { "fifo_depth: 1\n", "layer 'fifo_0' (FIFO): rtl target: depth 1 in front of layer "
          "'[^']*' (fifo_depth in the config or in that layer's folding entry); qnn_fifo "
          "needs at least 2" },
        { "fifo_depth: 8\nfolding:\n  - {mvau: 2, fifo_depth: 0}\n",
          "'fifo_depth' must be in \\[1," },
        { "fifo_depth: 8\nfolding:\n  - {mvau: 2, fifo_depth: 1}\n",
          "layer 'fifo_[0-9]*' (FIFO): rtl target: depth 1 in front of layer "
          "'[^']*MatMul[^']*'" },
    };
    char dir[4096], cfg[4200];
    scratch_dir(dir, sizeof dir, "rtl-e2e");
    snprintf(cfg, sizeof cfg, "%s/bad.yaml", dir);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        FILE *f = fopen(cfg, "w");
        ck_assert_ptr_nonnull(f);
        fputs(cases[k].config, f);
        fclose(f);
        int rc = shell("'%s' build '%s/models/TFC_1W1A/model.onnx' -c '%s' --target rtl -o "
                       "'%s/out' > '%s/err.log' 2>&1", QONNXC_BIN, TESTS_DIR, cfg, dir, dir);
        ck_assert_msg(rc != 0, "case %zu: the build succeeded", k);
        ck_assert_msg(shell("grep -q \"qonnxc: error: .*%s\" '%s/err.log'", cases[k].message,
                            dir) == 0, "case %zu: no error matching \"%s\"", k,
                      cases[k].message);
        ck_assert_int_eq(shell("test ! -e '%s/out'", dir), 0);
    }
    shell("rm -rf '%s'", dir);
}
END_TEST

/* The CNVs at FINN's folding (their configs' folding entries), 3 frames:
 * bit-exact, never faster than the estimated bottleneck (32,768 cycles
 * per frame, FINN's figure in the configs); with deep FIFOs within 5 % of
 * it. CNV-W1A2 keeps the config's depth-32 FIFOs: they hold the SWGs'
 * bursts back, so it is slower, which is allowed here. */
static const struct {
    const char *model;
    int deep;
} cnv_cases[] = { { "CNV_1W1A_RANDOM", 1 }, { "CNV_1W2A_RANDOM", 0 }, { "CNV_2W2A_RANDOM", 1 } };

START_TEST(cnv_bit_exact_and_cycles)
{
    if (SANITIZED)
        return;
    const char *model = cnv_cases[_i].model;
    char dir[4096], cfg[4200];
    scratch_dir(dir, sizeof dir, "rtl-e2e");
    config_of(model, cfg, sizeof cfg);
    if (cnv_cases[_i].deep) {
        char deep[4200];
        snprintf(deep, sizeof deep, "%s/cnv.yaml", dir);
        ck_assert_int_eq(shell("sed 's/^fifo_depth: .*/fifo_depth: 8192/' '%s' > '%s'", cfg,
                               deep), 0);
        snprintf(cfg, sizeof cfg, "%s", deep);
    }
    build(dir, model, cfg, "");
    long long cycles = simulate(dir, model, 3);
    char json[4200];
    snprintf(json, sizeof json, "%s/rtlsim.json", dir);
    ck_assert_int_eq(json_int(json, "estimated_cycles_per_frame"), 32768);
    ck_assert_msg(cycles >= 32768, "%s: %lld cycles per frame, faster than its bottleneck "
                  "layer (32768)", model, cycles);
    if (cnv_cases[_i].deep)
        ck_assert_msg(cycles * 100 <= 32768LL * 105, "%s with deep FIFOs: %lld cycles per "
                      "frame, estimate 32768", model, cycles);
    shell("rm -rf '%s'", dir);
}
END_TEST

/* qonnxc verify --target rtl builds the simulation itself and compares it
 * with golden and the int engine: a row for rtl, every frame exact; with
 * -v the simulation's progress goes to stderr (frames done of total) */
START_TEST(verify_runs_the_simulation)
{
    if (SANITIZED)
        return;
    char dir[4096], cfg[4096];
    scratch_dir(dir, sizeof dir, "rtl-e2e");
    ck_assert_int_eq(shell("'%s' verify '%s/models/TFC_1W1A/model.onnx' -c '%s' --target rtl "
                           "--frames 20 -v > '%s/verify.txt' 2> '%s/progress.txt'", QONNXC_BIN,
                           TESTS_DIR, config_of("TFC_1W1A", cfg, sizeof cfg), dir, dir), 0);
    ck_assert_int_eq(shell("grep -Eq '^rtl +20 +20/20 .* exact$' '%s/verify.txt'", dir), 0);
    ck_assert_int_eq(shell("grep -q '^rtl simulation, float outputs: frame 20 of 20, .* "
                           "cycles/s, .* left$' '%s/progress.txt'", dir), 0);
    shell("rm -rf '%s'", dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rtl_target");
    TCase *tc = tcase_create("rtl");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, lint_every_model, 0, N_MODELS);
    tcase_add_loop_test(tc, bit_exact_mlps, 0, (int)(sizeof sim_models / sizeof sim_models[0]));
    tcase_add_test(tc, tfc_w1a1_cycles_and_watchdog);
    tcase_add_test(tc, tfc_w1a1_smallest_fifos);
    tcase_add_test(tc, fifo_depth_errors);
    tcase_add_test(tc, verify_runs_the_simulation);
    tcase_add_loop_test(tc, cnv_bit_exact_and_cycles, 0,
                        (int)(sizeof cnv_cases / sizeof cnv_cases[0]));
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
