/* The Verilog library (rtl/qnn_*.v), module by module:
 *
 *   lint     verilator --lint-only -Wall, default parameters and every
 *            configuration below: no warning
 *   sim      for each configuration: verilator -Wall --cc --exe --build of
 *            the module with its testbench (sim/tb/tb_<module>.cpp, which
 *            checks it against the quant core on random data, at full speed
 *            and with idle cycles and back-pressure); the run must print
 *            PASS, and the MVAU must take MH/PE * MW/SIMD cycles per vector,
 *            the DAG modules (fork, add, pool, vvau) one cycle per input
 *            beat, each with its documented latency; a test-only residual
 *            block (sim/tb/dag_residual_block.v) runs at its skip FIFO
 *            bound and deadlocks one below it
 *   checks   a bad parameter stops elaboration (iverilog) with a message
 *            naming the instance
 *   synth    yosys reads every module and maps a small instance of each
 *            with synth_xilinx (one yosys run; the block-RAM FIFO must get
 *            a RAMB18)
 *
 * Everything is built under BUILD_DIR/rtl-sim. The Verilator runtime
 * (verilated.o, the slowest file to compile) is compiled once and reused
 * by every later build (make -o). */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "qc_pack.h"
#include "run_cli.h"

#define SRC_DIR TESTS_DIR "/.."
#define WORK_DIR BUILD_DIR "/rtl-sim"

typedef struct Config {
    const char *name;       /* build and run directory */
    const char *module;
    const char *uses;       /* the modules it instantiates (space separated), or NULL */
    const char *params;     /* module parameters: -G and -DP_ (space separated NAME=VALUE) */
    const char *tb_params;  /* the testbench's own: -DP_ only */
    int latency;            /* documented latency (MVAU: from its last input beat to its
                             * last output beat; the DAG modules: from the last input
                             * beat); -1: the testbench measures none */
} Config;

/* Moderate sizes: each configuration builds in a few seconds. MVAU
 * accumulator widths are the exact qc_dtype_acc_bits (the testbench fails
 * if an accumulator does not fit). */
static const Config configs[] = {
    { "mvau_int", "qnn_mvau", "qnn_threshold",
      "MW=36 MH=16 SIMD=6 PE=4 BINARY=0 IN_BITS=4 IN_SIGNED=1 IN_BIPOLAR=0 W_BITS=3 W_SIGNED=1 "
      "W_BIPOLAR=0 ACC_BITS=12 ACC_SIGNED=1 N_THRESHOLDS=0 T_BITS=13 OUT_BITS=12 OUT_SCALE=1 "
      "OUT_BIAS=0 OUT_BIPOLAR=0", "VECTORS=6", 3 },
    { "mvau_thresholds", "qnn_mvau", "qnn_threshold",
      "MW=16 MH=12 SIMD=16 PE=3 BINARY=0 IN_BITS=2 IN_SIGNED=0 IN_BIPOLAR=0 W_BITS=1 W_SIGNED=0 "
      "W_BIPOLAR=1 ACC_BITS=7 ACC_SIGNED=1 N_THRESHOLDS=3 T_BITS=8 OUT_BITS=3 OUT_SCALE=2 "
      "OUT_BIAS=-3 OUT_BIPOLAR=0", "VECTORS=8", 6 },
    /* +-1 on one side: the adds and subtracts that replace the multiplies */
    { "mvau_bipolar_w", "qnn_mvau", "qnn_threshold",
      "MW=27 MH=8 SIMD=9 PE=4 BINARY=0 IN_BITS=8 IN_SIGNED=1 IN_BIPOLAR=0 W_BITS=1 W_SIGNED=0 "
      "W_BIPOLAR=1 ACC_BITS=13 ACC_SIGNED=1 N_THRESHOLDS=0 T_BITS=14 OUT_BITS=13 OUT_SCALE=1 "
      "OUT_BIAS=0 OUT_BIPOLAR=0", "VECTORS=6", 3 },
    { "mvau_bipolar_in", "qnn_mvau", "qnn_threshold",
      "MW=24 MH=8 SIMD=8 PE=2 BINARY=0 IN_BITS=1 IN_SIGNED=0 IN_BIPOLAR=1 W_BITS=3 W_SIGNED=1 "
      "W_BIPOLAR=0 ACC_BITS=8 ACC_SIGNED=1 N_THRESHOLDS=0 T_BITS=9 OUT_BITS=8 OUT_SCALE=1 "
      "OUT_BIAS=0 OUT_BIPOLAR=0", "VECTORS=6", 3 },
    { "mvau_xnor", "qnn_mvau", "qnn_threshold",
      "MW=64 MH=4 SIMD=16 PE=4 BINARY=1 IN_BITS=1 IN_SIGNED=0 IN_BIPOLAR=1 W_BITS=1 W_SIGNED=0 "
      "W_BIPOLAR=1 ACC_BITS=7 ACC_SIGNED=0 N_THRESHOLDS=1 T_BITS=8 OUT_BITS=1 OUT_SCALE=2 "
      "OUT_BIAS=-1 OUT_BIPOLAR=1", "VECTORS=8", 6 },
    { "threshold", "qnn_threshold", NULL,
      "CHANNELS=12 PE=3 IN_BITS=5 IN_SIGNED=1 N_THRESHOLDS=7 T_BITS=6 OUT_BITS=4 OUT_SCALE=1 "
      "OUT_BIAS=-3 OUT_BIPOLAR=0", "VECTORS=40", -1 },
    { "swg_pad", "qnn_swg", NULL,
      "CHANNELS=4 SIMD=2 IN_BITS=4 IFM_H=6 IFM_W=7 K_H=3 K_W=3 STRIDE_H=1 STRIDE_W=1 PAD_TOP=1 "
      "PAD_LEFT=1 PAD_BOTTOM=1 PAD_RIGHT=1 PAD_VALUE=0", "FRAMES=3", -1 },
    { "swg_rect", "qnn_swg", NULL,
      "CHANNELS=3 SIMD=1 IN_BITS=3 IFM_H=7 IFM_W=5 K_H=3 K_W=2 STRIDE_H=2 STRIDE_W=3 PAD_TOP=2 "
      "PAD_LEFT=0 PAD_BOTTOM=1 PAD_RIGHT=2 PAD_VALUE=-1", "FRAMES=3", -1 },
    { "maxpool", "qnn_maxpool", NULL,
      "CHANNELS=4 PE=2 IN_BITS=4 SIGNED=1 IFM_H=7 IFM_W=6 K_H=2 K_W=2 PAD_TOP=0 PAD_LEFT=0 "
      "OFM_H=3 OFM_W=3", "FRAMES=3", -1 },
    { "maxpool_ceil", "qnn_maxpool", NULL,
      "CHANNELS=3 PE=1 IN_BITS=3 SIGNED=0 IFM_H=7 IFM_W=5 K_H=3 K_W=2 PAD_TOP=1 PAD_LEFT=1 "
      "OFM_H=3 OFM_W=3", "FRAMES=3", -1 },
    { "labelselect", "qnn_labelselect", NULL,
      "N=12 PE=3 IN_BITS=6 SIGNED=1 K=3 OUT_BITS=4", "FRAMES=20", -1 },
    { "dwc_down", "qnn_dwc", NULL, "IN_BITS=24 OUT_BITS=8", "BEATS=40", -1 },
    { "dwc_up", "qnn_dwc", NULL, "IN_BITS=6 OUT_BITS=30", "BEATS=40", -1 },
    { "fifo", "qnn_fifo", NULL, "DATA_WIDTH=12 DEPTH=7 RAM_STYLE=\"distributed\"", "BEATS=200", -1 },
    { "fifo_block", "qnn_fifo", NULL, "DATA_WIDTH=70 DEPTH=16 RAM_STYLE=\"block\"", "BEATS=200", -1 },
    /* the dataflow DAG's modules (issue 15): the testbench prints cycles
     * (first to last input beat at full speed: one beat per cycle, so the
     * estimate is the input beats) and the latency (last input beat to
     * last output beat), both checked against docs/rtl.md */
    { "fork", "qnn_fork", NULL, "DATA_WIDTH=13", "BEATS=300", 1 },
    { "add_scaled", "qnn_add", "qnn_threshold",
      "CHANNELS=12 PE=3 A_BITS=4 A_SIGNED=1 B_BITS=3 B_SIGNED=0 MUL_A=1 MUL_B=4 ACC_BITS=7 "
      "ACC_SIGNED=1 N_THRESHOLDS=0 T_BITS=8 OUT_BITS=7 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "VECTORS=20", 1 },
    { "add_thresholds", "qnn_add", "qnn_threshold",
      "CHANNELS=8 PE=2 A_BITS=8 A_SIGNED=0 B_BITS=5 B_SIGNED=1 MUL_A=2 MUL_B=1 ACC_BITS=11 "
      "ACC_SIGNED=1 N_THRESHOLDS=7 T_BITS=12 OUT_BITS=3 OUT_SCALE=1 OUT_BIAS=-4 OUT_BIPOLAR=0",
      "VECTORS=30", 4 },
    /* one pool per rounding mode (ROUNDING: QonnxRounding's order), each
     * with ties in its data (of both signs when signed); windowed (the windows qnn_swg
     * would send, strides and padding) and global (the image itself) */
    { "pool_half_even", "qnn_pool", "qnn_threshold",
      "CHANNELS=6 PE=2 IN_BITS=4 IN_SIGNED=1 TAPS=9 ACC_BITS=8 SHIFT=2 ROUNDING=0 N_THRESHOLDS=0 "
      "T_BITS=9 OUT_BITS=6 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=6 IFM_W=5 K_H=3 K_W=3 STRIDE_H=2 STRIDE_W=1 PAD=1 FRAMES=3", 2 },
    { "pool_half_up_global", "qnn_pool", "qnn_threshold",
      "CHANNELS=4 PE=4 IN_BITS=3 IN_SIGNED=1 TAPS=16 ACC_BITS=7 SHIFT=4 ROUNDING=1 N_THRESHOLDS=0 "
      "T_BITS=8 OUT_BITS=3 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=4 IFM_W=4 K_H=4 K_W=4 STRIDE_H=1 STRIDE_W=1 PAD=0 FRAMES=40", 2 },
    { "pool_half_down", "qnn_pool", "qnn_threshold",
      "CHANNELS=3 PE=1 IN_BITS=4 IN_SIGNED=1 TAPS=4 ACC_BITS=6 SHIFT=2 ROUNDING=2 N_THRESHOLDS=0 "
      "T_BITS=7 OUT_BITS=4 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=6 IFM_W=6 K_H=2 K_W=2 STRIDE_H=2 STRIDE_W=2 PAD=0 FRAMES=3", 2 },
    { "pool_ceil", "qnn_pool", "qnn_threshold",
      "CHANNELS=4 PE=2 IN_BITS=2 IN_SIGNED=0 TAPS=9 ACC_BITS=5 SHIFT=3 ROUNDING=3 N_THRESHOLDS=0 "
      "T_BITS=6 OUT_BITS=4 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=5 IFM_W=5 K_H=3 K_W=3 STRIDE_H=1 STRIDE_W=1 PAD=0 FRAMES=5", 2 },
    { "pool_floor", "qnn_pool", "qnn_threshold",
      "CHANNELS=2 PE=1 IN_BITS=5 IN_SIGNED=1 TAPS=6 ACC_BITS=8 SHIFT=1 ROUNDING=4 N_THRESHOLDS=0 "
      "T_BITS=9 OUT_BITS=7 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=5 IFM_W=7 K_H=2 K_W=3 STRIDE_H=1 STRIDE_W=2 PAD=1 FRAMES=2", 2 },
    { "pool_up_global", "qnn_pool", "qnn_threshold",
      "CHANNELS=4 PE=4 IN_BITS=4 IN_SIGNED=1 TAPS=4 ACC_BITS=6 SHIFT=2 ROUNDING=5 N_THRESHOLDS=0 "
      "T_BITS=7 OUT_BITS=4 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=2 IFM_W=2 K_H=2 K_W=2 STRIDE_H=1 STRIDE_W=1 PAD=0 FRAMES=30", 2 },
    { "pool_down", "qnn_pool", "qnn_threshold",
      "CHANNELS=6 PE=3 IN_BITS=3 IN_SIGNED=1 TAPS=9 ACC_BITS=7 SHIFT=3 ROUNDING=6 N_THRESHOLDS=0 "
      "T_BITS=8 OUT_BITS=4 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=4 IFM_W=4 K_H=3 K_W=3 STRIDE_H=1 STRIDE_W=1 PAD=1 FRAMES=3", 2 },
    { "pool_thresholds", "qnn_pool", "qnn_threshold",
      "CHANNELS=4 PE=2 IN_BITS=4 IN_SIGNED=0 TAPS=4 ACC_BITS=6 SHIFT=0 ROUNDING=0 N_THRESHOLDS=5 "
      "T_BITS=8 OUT_BITS=3 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "IFM_H=4 IFM_W=4 K_H=2 K_W=2 STRIDE_H=2 STRIDE_W=2 PAD=0 FRAMES=3", 4 },
    /* depthwise: qnn_swg's beat order (one tap of PE channels per beat),
     * FINN's order with SIMD taps per beat, and SIMD taps in qnn_swg's order */
    { "vvau_swg_order", "qnn_vvau", "qnn_threshold",
      "CHANNELS=6 PE=2 TAPS=9 SIMD=1 CHANNELS_INNER=1 IN_BITS=4 IN_SIGNED=0 W_BITS=4 W_SIGNED=1 "
      "ACC_BITS=12 N_THRESHOLDS=0 T_BITS=13 OUT_BITS=12 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "WINDOWS=10", 3 },
    { "vvau_thresholds", "qnn_vvau", "qnn_threshold",
      "CHANNELS=8 PE=4 TAPS=9 SIMD=3 CHANNELS_INNER=0 IN_BITS=3 IN_SIGNED=1 W_BITS=2 W_SIGNED=1 "
      "ACC_BITS=8 N_THRESHOLDS=3 T_BITS=9 OUT_BITS=2 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "WINDOWS=10", 6 },
    { "vvau_simd_inner", "qnn_vvau", "qnn_threshold",
      "CHANNELS=3 PE=1 TAPS=9 SIMD=3 CHANNELS_INNER=1 IN_BITS=4 IN_SIGNED=1 W_BITS=2 W_SIGNED=0 "
      "ACC_BITS=9 N_THRESHOLDS=0 T_BITS=10 OUT_BITS=9 OUT_SCALE=1 OUT_BIAS=0 OUT_BIPOLAR=0",
      "WINDOWS=8", 3 },
    /* a residual block (sim/tb/dag_residual_block.v: fork, SWG 3x3 + VVAU
     * on the branch, a skip FIFO, add): bit-exact with the skip FIFO at
     * docs/rtl.md's bound 2 * IFM_W * C/PE - 1 = 23, a deadlock one below */
    { "residual_block", "dag_residual_block",
      "qnn_fork qnn_fifo qnn_swg qnn_vvau qnn_threshold qnn_add",
      "CHANNELS=4 PE=2 IFM_H=5 IFM_W=6 BITS=2 W_BITS=3 ACC_BITS=8 SKIP_DEPTH=23", "FRAMES=3", -1 },
    { "residual_block_deadlock", "dag_residual_block",
      "qnn_fork qnn_fifo qnn_swg qnn_vvau qnn_threshold qnn_add",
      "CHANNELS=4 PE=2 IFM_H=5 IFM_W=6 BITS=2 W_BITS=3 ACC_BITS=8 SKIP_DEPTH=22", "FRAMES=3", -1 },
    /* the iCE40 form (no LUT RAM there) */
    { "fifo_registers", "qnn_fifo", NULL, "DATA_WIDTH=5 DEPTH=3 RAM_STYLE=\"registers\"", "BEATS=200", -1 },
};
#define N_CONFIGS ((int)(sizeof configs / sizeof configs[0]))

static const char *const modules[][2] = {
    { "qnn_mvau", "qnn_threshold" }, { "qnn_threshold", NULL }, { "qnn_swg", NULL },
    { "qnn_maxpool", NULL }, { "qnn_labelselect", NULL }, { "qnn_dwc", NULL }, { "qnn_fifo", NULL },
    { "qnn_fork", NULL }, { "qnn_add", "qnn_threshold" }, { "qnn_pool", "qnn_threshold" },
    { "qnn_vvau", "qnn_threshold" },
};
#define N_MODULES ((int)(sizeof modules / sizeof modules[0]))

/* ---- helpers ------------------------------------------------------------- */

typedef struct Args {
    const char *v[128];
    char *owned[128];
    int n, n_owned;
} Args;

static void add(Args *a, const char *s)
{
    ck_assert_int_lt(a->n, 127);
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

static void addf(Args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(Args *a, const char *fmt, ...)
{
    va_list ap;
    char *s = malloc(1024);
    va_start(ap, fmt);
    ck_assert_int_lt(vsnprintf(s, 1024, fmt, ap), 1024);
    va_end(ap);
    ck_assert_int_lt(a->n_owned, 128);
    a->owned[a->n_owned++] = s;
    add(a, s);
}

static void args_free(Args *a)
{
    for (int i = 0; i < a->n_owned; i++)
        free(a->owned[i]);
    a->n = a->n_owned = 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Runs a shell command line; fails the test with its output if it fails. */
static CliResult sh(const char *cmd)
{
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    return run_cmd(argv);
}

static void sh_ok(const char *cmd)
{
    CliResult r = sh(cmd);
    ck_assert_msg(r.exit_code == 0, "`%s` failed (%d):\n%.3000s\n%.3000s", cmd, r.exit_code, r.out,
                  r.err);
    cli_result_free(&r);
}

static void add_params(Args *a, const char *list, const char *flag)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
        addf(a, "%s%s", flag, tok);
}

/* "-DP_A=1 -DP_B=2 ..." for -CFLAGS (string values are the module's only). */
static void cflags_params(char *out, size_t n, const char *list)
{
    char buf[1024];
    size_t len = strlen(out);
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
        if (!strchr(tok, '"'))
            len += (size_t)snprintf(out + len, n - len, " -DP_%s", tok);
}

/* libqc.a: the quant core compiled as plain C for the testbenches (the
 * CMake target may carry sanitizer flags). Rebuilt when a source is newer. */
static const char *quant_lib(void)
{
    static const char lib[] = WORK_DIR "/qc/libqc.a";
    struct stat st;
    time_t newest = 0;
    DIR *d = opendir(SRC_DIR "/quant");
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
        char p[1024];
        snprintf(p, sizeof p, SRC_DIR "/quant/%s", e->d_name);
        if (e->d_name[0] != '.' && stat(p, &st) == 0 && st.st_mtime > newest)
            newest = st.st_mtime;
    }
    closedir(d);
    if (stat(lib, &st) != 0 || st.st_mtime < newest)
        sh_ok("rm -rf '" WORK_DIR "/qc' && mkdir -p '" WORK_DIR "/qc' && cd '" WORK_DIR "/qc' && "
              "cc -std=c99 -O2 -Wall -Wextra -Werror -c '" SRC_DIR "'/quant/*.c && "
              "ar rcs libqc.a *.o");
    return lib;
}

/* The directory of the shared Verilator runtime objects, per version. */
static void runtime_dir(char *out, size_t n)
{
    const char *argv[] = { "/usr/bin/env", "verilator", "--version", NULL };
    CliResult r = run_cmd(argv);
    ck_assert_msg(r.exit_code == 0, "verilator not found (scripts/setup.sh installs it)");
    unsigned long h = 5381;
    for (const char *p = r.out; *p; p++)
        h = h * 33 + (unsigned char)*p;
    snprintf(out, n, WORK_DIR "/runtime-%08lx", h & 0xffffffffUL);
    cli_result_free(&r);
}

/* The module's file (rtl/, or sim/tb/ for a test-only top "dag_*") and
 * those of the modules it uses (a space-separated list, or NULL). */
static void rtl_files(Args *a, const char *module, const char *uses)
{
    if (!strncmp(module, "dag_", 4))
        addf(a, SRC_DIR "/sim/tb/%s.v", module);
    else
        addf(a, SRC_DIR "/rtl/%s.v", module);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", uses ? uses : "");
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
        addf(a, SRC_DIR "/rtl/%s.v", tok);
}

/* ---- lint ------------------------------------------------------------------ */

static void lint(const char *module, const char *uses, const char *params)
{
    Args a = { 0 };
    add(&a, "/usr/bin/env");
    add(&a, "verilator");
    add(&a, "--lint-only");
    add(&a, "-Wall");
    add(&a, "--top-module");
    add(&a, module);
    if (params)
        add_params(&a, params, "-G");
    rtl_files(&a, module, uses);
    CliResult r = run_cmd(a.v);
    ck_assert_msg(r.exit_code == 0 && r.err[0] == '\0', "lint %s (%s):\n%.4000s", module,
                  params ? params : "defaults", r.err);
    cli_result_free(&r);
    args_free(&a);
}

START_TEST(lint_module)
{
    const char *module = modules[_i][0], *uses = modules[_i][1];
    lint(module, uses, NULL);
    for (int c = 0; c < N_CONFIGS; c++)
        if (!strcmp(configs[c].module, module))
            lint(module, uses, configs[c].params);
}
END_TEST

/* ---- simulation --------------------------------------------------------- */

START_TEST(simulate)
{
    const Config *c = &configs[_i];
    double t0 = now();
    char obj[512], run[512], rt[512], cflags[2048], cmd[4096];
    snprintf(obj, sizeof obj, WORK_DIR "/obj/%s", c->name);
    snprintf(run, sizeof run, WORK_DIR "/run/%s", c->name);
    runtime_dir(rt, sizeof rt);
    const char *lib = quant_lib();

    /* a fresh build directory (make does not see changed -D values), with
     * the runtime objects when an earlier build left them */
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' && mkdir -p '%s' '%s' && "
             "if [ -f '%s/verilated.o' ]; then cp '%s'/*.o '%s'/; fi",
             obj, run, obj, run, rt, rt, obj);
    sh_ok(cmd);
    char have_runtime[600];
    snprintf(have_runtime, sizeof have_runtime, "%s/verilated.o", rt);
    int cached = file_exists(have_runtime);

    snprintf(cflags, sizeof cflags, "-I" SRC_DIR "/quant -I" SRC_DIR "/sim/tb");
    cflags_params(cflags, sizeof cflags, c->params);
    cflags_params(cflags, sizeof cflags, c->tb_params);

    Args a = { 0 };
    add(&a, "/usr/bin/env");
    add(&a, "verilator");
    add(&a, "-Wall");
    add(&a, "--cc");
    add(&a, "--exe");
    add(&a, "--build");
    add(&a, "-j");
    add(&a, "2");
    add(&a, "--prefix");
    addf(&a, "V%s", c->module);
    add(&a, "--top-module");
    add(&a, c->module);
    add(&a, "-Mdir");
    add(&a, obj);
    add(&a, "-o");
    addf(&a, "tb_%s", c->module);
    add(&a, "-CFLAGS");
    add(&a, cflags);
    /* -O0: these small simulations run in milliseconds; compiling is
     * what takes the time. make -o: use the cached runtime as it is. */
    add(&a, "-MAKEFLAGS");
    add(&a, cached ? "OPT_FAST=-O0 OPT_SLOW=-O0 -o verilated.o -o verilated_threads.o"
                   : "OPT_FAST=-O0 OPT_SLOW=-O0");
    add_params(&a, c->params, "-G");
    rtl_files(&a, c->module, c->uses);
    addf(&a, SRC_DIR "/sim/tb/tb_%s.cpp", c->module);
    add(&a, lib);
    CliResult b = run_cmd(a.v);
    ck_assert_msg(b.exit_code == 0, "verilator build of %s failed:\n%.6000s\n%.6000s", c->name,
                  b.out, b.err);
    cli_result_free(&b);
    args_free(&a);
    if (!cached) {
        snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s/verilated.o' '%s/verilated_threads.o' '%s'/",
                 rt, obj, obj, rt);
        sh_ok(cmd);
    }
    double t1 = now();

    /* the testbench writes its memory files into the run directory */
    snprintf(cmd, sizeof cmd, "cd '%s' && exec '%s/tb_%s'", run, obj, c->module);
    CliResult r = sh(cmd);
    ck_assert_msg(r.exit_code == 0 && strstr(r.out, "PASS "), "testbench %s failed (%d):\n%.6000s\n%.3000s",
                  c->name, r.exit_code, r.out, r.err);
    if (c->latency >= 0) {
        const char *m = strstr(r.out, "cycles=");
        long long cycles = -1, estimate = -2, latency = -1;
        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(sscanf(m, "cycles=%lld estimate=%lld latency=%lld", &cycles, &estimate, &latency), 3);
        ck_assert_msg(cycles == estimate, "%s: %lld cycles, estimate %lld (MVAU: MH/PE*MW/SIMD*vectors, "
                      "the others: one input beat per cycle)", c->name, cycles, estimate);
        ck_assert_msg(latency == c->latency, "%s: latency %lld, documented %d", c->name, latency,
                      c->latency);
    }
    printf("%-16s build %5.1f s  run %5.2f s  %s", c->name, t1 - t0, now() - t1, r.out);
    cli_result_free(&r);
}
END_TEST

/* ---- parameter checks ----------------------------------------------------- */

static const struct {
    const char *module, *uses, *bad;
} bad_params[] = {
    { "qnn_mvau", "qnn_threshold", "MW=10" },   /* SIMD=4 does not divide 10 */
    { "qnn_threshold", NULL, "PE=3" },          /* 3 does not divide CHANNELS=4 */
    { "qnn_swg", NULL, "K_H=9" },               /* kernel larger than the padded image */
    { "qnn_maxpool", NULL, "PAD_TOP=2" },       /* padding not below the kernel */
    { "qnn_labelselect", NULL, "K=11" },        /* more labels than N=10 */
    { "qnn_dwc", NULL, "OUT_BITS=12" },         /* 8 and 12: neither divides the other */
    { "qnn_fifo", NULL, "DEPTH=1" },
    { "qnn_fork", NULL, "DATA_WIDTH=0" },
    { "qnn_add", "qnn_threshold", "MUL_A=0" },           /* a factor below 1 */
    { "qnn_pool", "qnn_threshold", "ROUNDING=7" },       /* no such rounding mode */
    { "qnn_vvau", "qnn_threshold", "SIMD=2" },           /* 2 does not divide TAPS=9 */
};
#define N_BAD ((int)(sizeof bad_params / sizeof bad_params[0]))

START_TEST(bad_parameter_stops)
{
    const char *module = bad_params[_i].module;
    char dir[512], vvp[600], want[128];
    snprintf(dir, sizeof dir, WORK_DIR "/checks");
    snprintf(vvp, sizeof vvp, "%s/%s.vvp", dir, module);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    sh_ok(cmd);

    Args a = { 0 };
    add(&a, "/usr/bin/env");
    add(&a, "iverilog");
    add(&a, "-g2005");
    add(&a, "-o");
    add(&a, vvp);
    addf(&a, "-s%s", module);
    addf(&a, "-P%s.%s", module, bad_params[_i].bad);
    rtl_files(&a, module, bad_params[_i].uses);
    CliResult r = run_cmd(a.v);
    ck_assert_msg(r.exit_code == 0, "iverilog %s:\n%.3000s", module, r.err);
    cli_result_free(&r);
    args_free(&a);

    /* the thresholds/weights files are not needed: elaboration stops first */
    snprintf(cmd, sizeof cmd, "cd '%s' && vvp -n '%s'", dir, vvp);
    r = sh(cmd);
    snprintf(want, sizeof want, "(instance %s)", module);
    ck_assert_msg(strstr(r.out, "Error:") && strstr(r.out, want),
                  "%s with %s: no error naming the instance:\n%.3000s", module, bad_params[_i].bad,
                  r.out);
    cli_result_free(&r);
}
END_TEST

/* ---- synthesis -------------------------------------------------------------- */

/* Appends (or starts) a $readmemh file with one word: n values of dt,
 * packed LSB-first by qc_pack, written most significant digit first. */
static void write_hex_word(const char *path, int append, qc_dtype dt, const int32_t *vals, int n)
{
    uint8_t bytes[64] = { 0 };
    qc_pack(dt, vals, (size_t)n, bytes);
    FILE *f = fopen(path, append ? "a" : "w");
    ck_assert_ptr_nonnull(f);
    for (int d = (n * dt.bits + 3) / 4 - 1; d >= 0; d--)
        fputc("0123456789abcdef"[(bytes[d / 2] >> (4 * (d % 2))) & 15], f);
    fputc('\n', f);
    fclose(f);
}

START_TEST(yosys_synth_xilinx)
{
    double t0 = now();
    char cmd[4096];
    const char *dir = WORK_DIR "/synth";
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    sh_ok(cmd);

    /* memory files of the small MVAU below (its defaults: MW 16, MH 8,
     * SIMD 4, PE 2, W_BITS 4, T_BITS 17, here with 3 thresholds); the
     * qnn_threshold instance has the same threshold layout */
    int32_t w[32], t17[6] = { -5, 0, 9, -7, 2, 3 };
    for (int i = 0; i < 32; i++)
        w[i] = (i * 7) % 16 - 8;
    for (int word = 0; word < 16; word++)
        write_hex_word(WORK_DIR "/synth/weights.hex", word > 0, qc_dtype_int(4), w + (word % 2) * 8, 8);
    for (int word = 0; word < 4; word++)
        write_hex_word(WORK_DIR "/synth/thresholds.hex", word > 0, qc_dtype_int(17), t17, 6);

    FILE *f = fopen(WORK_DIR "/synth/synth.ys", "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "# every module in one run: the Xilinx cell library is read once\n"
            "read_verilog -lib -specify +/xilinx/cells_sim.v\n"
            "read_verilog -lib +/xilinx/cells_xtra.v\n");
    /* -defer: elaborate only with the parameters below (read_verilog
     * would elaborate the defaults at once, reading memory files meant for
     * other parameters) */
    for (int m = 0; m < N_MODULES; m++)
        fprintf(f, "read_verilog -defer %s/rtl/%s.v\n", SRC_DIR, modules[m][0]);
    fprintf(f,
            "chparam -set N_THRESHOLDS 3 -set OUT_BITS 2 qnn_mvau\n"
            "chparam -set CHANNELS 8 -set PE 2 -set IN_BITS 16 -set T_BITS 17 qnn_threshold\n"
            "chparam -set DEPTH 512 -set DATA_WIDTH 16 -set RAM_STYLE \"block\" qnn_fifo\n"
            "chparam -set IN_BITS 32 qnn_dwc\n"
            "chparam -set PAD_TOP 1 -set PAD_LEFT 1 -set PAD_BOTTOM 1 -set PAD_RIGHT 1 qnn_swg\n"
            "chparam -set K 3 qnn_labelselect\n"
            "chparam -set SIGNED 0 qnn_maxpool\n"
            "chparam -set DATA_WIDTH 16 qnn_fork\n"
            "chparam -set PE 4 -set MUL_A 3 -set ACC_BITS 8 -set OUT_BITS 8 qnn_add\n"
            "chparam -set SHIFT 2 -set ROUNDING 0 -set OUT_BITS 4 qnn_pool\n"
            /* the MVAU's weights.hex: 16 words of 32 bits = 2 folds x 8 beats of 8 weights */
            "chparam -set CHANNELS 8 -set PE 4 -set TAPS 16 -set SIMD 2 qnn_vvau\n"
            "hierarchy -check\n"
            "synth_xilinx -run prepare:\n"
            "tee -o stat.txt stat\n");
    fclose(f);

    snprintf(cmd, sizeof cmd, "cd '%s' && yosys -q -l synth.log -s synth.ys", dir);
    CliResult r = sh(cmd);
    ck_assert_msg(r.exit_code == 0, "yosys failed:\n%.4000s\n%.4000s", r.out, r.err);
    /* no warning about our sources (yosys' own BRAM mapping warns about
     * port resizing; that is not ours) */
    for (char *line = strtok(r.err, "\n"); line; line = strtok(NULL, "\n"))
        ck_assert_msg(!strstr(line, "/rtl/qnn_"), "yosys: %s", line);
    cli_result_free(&r);

    f = fopen(WORK_DIR "/synth/stat.txt", "r");
    ck_assert_ptr_nonnull(f);
    static char stat_text[1 << 16];
    size_t n = fread(stat_text, 1, sizeof stat_text - 1, f);
    stat_text[n] = '\0';
    fclose(f);
    for (int m = 0; m < N_MODULES; m++) {
        /* "=== $abstract\qnn_x ===" for a deferred module */
        char head[64];
        snprintf(head, sizeof head, "\\%s ===", modules[m][0]);
        const char *s = strstr(stat_text, head);
        ck_assert_msg(s, "yosys stat has no %s", modules[m][0]);
        const char *cells = strstr(s, "Number of cells:");
        ck_assert_ptr_nonnull(cells);
        ck_assert_msg(atoi(cells + strlen("Number of cells:")) > 10, "%s mapped to almost nothing",
                      modules[m][0]);
    }
    const char *fifo = strstr(stat_text, "\\qnn_fifo ===");
    const char *next = strstr(fifo + strlen("\\qnn_fifo ==="), "===");
    const char *ram = strstr(fifo, "RAMB18E1");
    ck_assert_msg(ram && (!next || ram < next), "the block-RAM FIFO has no RAMB18E1");
    printf("yosys synth_xilinx, %d modules: %.1f s\n", N_MODULES, now() - t0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtl_modules");
    TCase *tl = tcase_create("lint");
    tcase_set_timeout(tl, 300);
    tcase_add_loop_test(tl, lint_module, 0, N_MODULES);
    suite_add_tcase(s, tl);
    TCase *tc = tcase_create("checks");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, bad_parameter_stops, 0, N_BAD);
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("simulate");
    tcase_set_timeout(ts, 900);
    tcase_add_loop_test(ts, simulate, 0, N_CONFIGS);
    suite_add_tcase(s, ts);
    TCase *ty = tcase_create("synth");
    tcase_set_timeout(ty, 900);
    tcase_add_test(ty, yosys_synth_xilinx);
    suite_add_tcase(s, ty);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
