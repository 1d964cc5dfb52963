/* The ice40 target (docs/ice40.md), end to end on a small network: the
 * Brevitas-shaped MLP of tests/helpers/brevitas_mlp.h (20 inputs, 3-, 5-
 * and 8-bit weights) is built with --target ref,ice40, placed and routed
 * for an iCE40 UP5K at 24 MHz by yosys and nextpnr-ice40, packed into a
 * bitstream, and its netlist after synthesis, UART included, runs a few
 * frames bit-exactly like the ref target. Where yosys, nextpnr-ice40,
 * icepack or Verilator are missing (scripts/setup.sh installs them) that
 * test says so and passes without them; the estimate's refusal and the
 * configuration's errors need no tools. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brevitas_mlp.h"
#include "e2e_util.h"
#include "frontend.h"
#include "npy.h"
#include "run_cli.h"

#define SEED 0x1740u
#define FRAMES 4

static bool have_tools(void)
{
    static const char *const tools[] = { "yosys", "nextpnr-ice40", "icepack", "verilator" };
    for (int k = 0; k < 4; k++)
        if (run_shell("command -v %s > /dev/null 2>&1", tools[k]) != 0) {
            fprintf(stderr, "test_ice40_target: SKIPPED the bitstream and gatesim test: %s is "
                    "not installed (scripts/setup.sh installs yosys, nextpnr-ice40, "
                    "fpga-icestorm, verilator)\n", tools[k]);
            return false;
        }
    return true;
}

/* The MLP and FRAMES random frames into dir. */
static void write_model(const char *dir, char *model, size_t msize, char *in, size_t isize)
{
    snprintf(model, msize, "%s/mlp.onnx", dir);
    OnnxBuilder *b = brevitas_mlp_float_bias(SEED, false);
    ck_assert(ob_write(b, model));
    ob_free(b);
    Diag d;
    diag_init(&d);
    Graph *g = frontend_load(model, &d);
    ck_assert_msg(g, "%s", d.msg);
    Value *v = random_inputs(g->inputs[0], FRAMES, SEED);
    snprintf(in, isize, "%s/in.npy", dir);
    ck_assert_msg(npy_write_f32(in, v->f, v->shape.rank, v->shape.dims, &d), "%s", d.msg);
    value_free(v);
    graph_free(g);
}

static double json_number(const char *text, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(text, k);
    ck_assert_msg(p, "report.json has no %s:\n%s", key, text);
    return strtod(p + strlen(k), NULL);
}

START_TEST(small_mlp_to_bitstream_and_gatesim)
{
    if (!have_tools())
        return;
    char *dir = make_temp_dir("ice40");
    char model[600], in[600], cfg[600];
    write_model(dir, model, sizeof model, in, sizeof in);
    snprintf(cfg, sizeof cfg, "%s/up5k.yaml", dir);
    /* 3 Mbaud: 8 clock cycles a bit at 24 MHz, so the gate-level
     * simulation of the UART stays short */
    write_whole_file(cfg, "clock_mhz: 24\ndevice: up5k\nuart_baud: 3000000\nfifo_depth: 2\n");
    ck_assert_int_eq(run_shell("cd '%s' && '%s' build mlp.onnx -c up5k.yaml --target ref,ice40 "
                               "-o out > build.log 2>&1", dir, QONNXC_BIN), 0);
    ck_assert_int_eq(run_shell("make -s -C '%s/out/ref' > /dev/null && '%s/out/ref/mlp' '%s' "
                               "'%s/ref.npy'", dir, dir, in, dir), 0);

    /* the bitstream: nextpnr fails the make when it misses 24 MHz */
    int rc = run_shell("make -s -C '%s/out/ice40' > '%s/make.log' 2>&1", dir, dir);
    ck_assert_msg(rc == 0, "make -C out/ice40 failed; see %s/make.log", dir);
    char path[700];
    snprintf(path, sizeof path, "%s/out/ice40/mlp.bin", dir);
    size_t len = 0;
    char *bin = read_whole_file(path, &len);
    ck_assert_msg(bin && len > 100000, "%s: %zu bytes", path, len);  /* an UP5K image: 104 kB */
    free(bin);
    snprintf(path, sizeof path, "%s/out/ice40/report.json", dir);
    char *report = read_whole_file(path, &len);
    ck_assert_ptr_nonnull(report);
    ck_assert_msg(strstr(report, "\"device\": \"up5k\"") && strstr(report, "\"timing_met\": true"),
                  "%s", report);
    ck_assert_msg(json_number(report, "fmax_mhz") >= 24.0, "%s", report);
    double cells = json_number(report, "logic_cells"), lut4 = json_number(report, "lut4");
    ck_assert_msg(cells > 100 && cells <= 5280 && lut4 > 50 && lut4 <= cells, "%s", report);
    /* per layer: the first MVAU has cells of its own */
    const char *l0 = strstr(report, "\"name\": \"l0_");
    ck_assert_msg(l0 && strtol(strstr(l0, "\"lut4\": ") + 8, NULL, 10) > 10, "%s", report);
    free(report);

    /* the netlist, UART and all, against the ref target */
    rc = run_shell("make -s -C '%s/out/ice40' gatesim > '%s/gatesim.log' 2>&1", dir, dir);
    ck_assert_msg(rc == 0, "make gatesim failed; see %s/gatesim.log", dir);
    ck_assert_int_eq(run_shell("'%s/out/ice40/mlp_gatesim' '%s' '%s/gatesim.npy'", dir, in, dir),
                     0);
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/ref.npy", dir);
    snprintf(b, sizeof b, "%s/gatesim.npy", dir);
    assert_same_files(a, b);

    /* the board's runner compiles (-Werror); it needs the board to run */
    ck_assert_int_eq(run_shell("make -s -C '%s/out/ice40' serial > /dev/null 2>&1", dir), 0);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* TFC-W1A1 at FINN's folding (configs/TFC_1W1A.yaml) is far beyond an
 * UP5K: build still writes the folder (and says so), and make stops at
 * the estimate, naming the resource and how far over it is, before yosys. */
START_TEST(too_big_is_refused_before_synthesis)
{
    char *dir = make_temp_dir("ice40-fit");
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s/c.yaml", dir);
    write_whole_file(cfg, "clock_mhz: 24\nfolding:\n  - {mvau: 0, pe: 16, simd: 49}\n");
    const char *args[] = { "build", TESTS_DIR "/models/TFC_1W1A/model.onnx", "-c", cfg,
                           "--target", "ice40", "-o", NULL, NULL };
    char out[700];
    snprintf(out, sizeof out, "%s/out", dir);
    args[7] = out;
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.out, "ice40: the estimate does not fit the up5k: LUT4: "), "%s", r.out);
    cli_result_free(&r);
    char log[800];
    snprintf(log, sizeof log, "%s/make.log", dir);
    int rc = run_shell("make -C '%s/ice40' > '%s' 2>&1", out, log);
    ck_assert_int_ne(rc, 0);
    char *text = read_whole_file(log, NULL);
    ck_assert_msg(strstr(text, "does not fit: LUT4: ") && strstr(text, " of 5280 logic cells, ") &&
                  strstr(text, " over ("), "%s", text);
    ck_assert_msg(!strstr(text, "yosys"), "synthesis ran:\n%s", text);
    free(text);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* device, package and uart_baud are checked with the configuration's line;
 * a baud rate the clock cannot make is refused by the target. */
START_TEST(config_errors)
{
    static const struct {
        const char *yaml, *message;
    } cases[] = {
        { "clock_mhz: 24\ndevice: lx9\n", "c.yaml:2: device 'lx9' is not an iCE40 qonnxc knows" },
        { "device: up5k\npackage: ct256\n", "c.yaml:2: package 'ct256' is not one of the up5k's" },
        { "uart_baud: 12\n", "c.yaml:1: 'uart_baud' must be in [300, 12000000]" },
        { "clock_mhz: 12\nuart_baud: 5000000\n", "uart_baud 5000000: at 12.000 MHz the UART" },
        { "clock_mhz: 5\n", "clock_mhz 5: the iCE40 PLL makes 16 to 275 MHz" },
    };
    char *dir = make_temp_dir("ice40-cfg");
    char cfg[600], out[700];
    snprintf(cfg, sizeof cfg, "%s/c.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        write_whole_file(cfg, cases[k].yaml);
        const char *args[] = { "build", TESTS_DIR "/models/TFC_1W1A/model.onnx", "-c", cfg,
                               "--target", "ice40", "-o", out, NULL };
        CliResult r = run_qonnxc(args);
        ck_assert_msg(r.exit_code == 2 && strstr(r.err, cases[k].message), "%s\n%s%s",
                      cases[k].yaml, r.out, r.err);
        ck_assert_msg(!file_exists(out), "partial output for:\n%s", cases[k].yaml);
        cli_result_free(&r);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ice40_target");
    TCase *tc = tcase_create("ice40");
    /* about 2 minutes on an idle 2-core machine (two syntheses, place and
     * route, the netlist in Verilator); more when the machine is shared */
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, config_errors);
    tcase_add_test(tc, too_big_is_refused_before_synthesis);
    tcase_add_test(tc, small_mlp_to_bitstream_and_gatesim);
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
