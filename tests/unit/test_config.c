/* Build configurations (src/config.c): every key, the defaults, every
 * shipped configs/<model>.yaml, and errors that name the file and the line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static bool parse(BuildConfig *c, const char *text, Diag *d)
{
    diag_init(d);
    return config_parse(c, text, strlen(text), "cfg.yaml", d);
}

START_TEST(test_all_keys)
{
    BuildConfig c;
    Diag d;
    const char *text =
        "# a comment\n"
        "targets: [ref, hls, rtl]\n"
        "clock_mhz: 200\n"
        "target_fps: 1e4\n"
        "max_weight_stream_bits: 4096\n"
        "fifo_depth: 64\n"
        "labels: 1\n"
        "folding:\n"
        "  - {mvau: 0, pe: 16, simd: 3}\n"
        "  - layer: \"/conv_features.7/MaxPool\"\n"
        "    pe: 8\n"
        "    fifo_depth: 128\n";
    ck_assert_msg(parse(&c, text, &d), "%s", d.msg);
    ck_assert_int_eq(c.n_targets, 3);
    ck_assert(config_has_target(&c, "hls"));
    ck_assert(!config_has_target(&c, "mcu"));
    ck_assert(c.clock_mhz == 200);
    ck_assert(c.target_fps == 10000);
    ck_assert_int_eq(c.max_weight_stream_bits, 4096);
    ck_assert_int_eq(c.fifo_depth, 64);
    ck_assert_int_eq(c.labels, 1);
    ck_assert_int_eq(c.n_layers, 2);
    ck_assert_int_eq(c.layers[0].mvau, 0);
    ck_assert_ptr_null(c.layers[0].layer);
    ck_assert_int_eq(c.layers[0].pe, 16);
    ck_assert_int_eq(c.layers[0].simd, 3);
    ck_assert_int_eq(c.layers[0].line, 9);
    ck_assert_str_eq(c.layers[1].layer, "/conv_features.7/MaxPool");
    ck_assert_int_eq(c.layers[1].mvau, -1);
    ck_assert_int_eq(c.layers[1].pe, 8);
    ck_assert_int_eq(c.layers[1].simd, 0);
    ck_assert_int_eq(c.layers[1].fifo_depth, 128);
    ck_assert_int_eq(c.layers[1].line, 10);
    config_free(&c);
}
END_TEST

START_TEST(test_defaults)
{
    BuildConfig c;
    Diag d;
    config_defaults(&c);
    ck_assert(c.clock_mhz == 100);
    ck_assert(c.target_fps == 0);
    ck_assert_int_eq(c.fifo_depth, 32);
    ck_assert_int_eq(c.max_weight_stream_bits, 8192);
    ck_assert_int_eq(c.labels, 0);
    config_free(&c);
    ck_assert_msg(parse(&c, "", &d), "%s", d.msg); /* an empty file: the defaults */
    ck_assert(c.clock_mhz == 100);
    ck_assert_int_eq(c.n_layers, 0);
    config_free(&c);
}
END_TEST

/* Each bad text must fail with "cfg.yaml:<line>: " and the words given. */
static const struct {
    const char *text;
    int line;
    const char *words;
} bad[] = {
    { "clock_mhz: 100\nclock: 100\n", 2, "unknown key 'clock'" },
    { "folding:\n  - {mvau: 0, pe: 2, simd: 1, speed: 3}\n", 2, "unknown key 'speed' in a folding entry" },
    { "clock_mhz: fast\n", 1, "'clock_mhz' must be a number" },
    { "clock_mhz: -5\n", 1, "must be a positive number" },
    { "fifo_depth: 1.5\n", 1, "'fifo_depth' must be an integer" },
    { "fifo_depth: 0\n", 1, "'fifo_depth' must be in [1, " },
    { "labels: [1]\n", 1, "'labels' must be an integer" },
    { "targets: [ref, fpga]\n", 1, "unknown target 'fpga'" },
    { "targets: ref\n", 1, "'targets' must be a list" },
    { "folding: {mvau: 0}\n", 1, "'folding' must be a list" },
    { "folding:\n  - 3\n", 2, "must be a map" },
    { "folding:\n  - {pe: 2}\n", 2, "exactly one of 'layer: NAME' or 'mvau: INDEX'" },
    { "folding:\n  - {mvau: 0, layer: x, pe: 2}\n", 2, "exactly one of" },
    { "folding:\n  - {mvau: 1, pe: 2}\n  - {mvau: 1, simd: 2}\n", 3, "already has an entry (line 2)" },
    { "folding:\n  - {mvau: 0, pe: 0}\n", 2, "'pe' must be in [1, " },
    { "- 1\n- 2\n", 1, "must be a map of settings" },
    { "clock_mhz: 100\n  bad: [\n", 2, "YAML syntax error" },
};

START_TEST(test_errors)
{
    BuildConfig c;
    Diag d;
    ck_assert_msg(!parse(&c, bad[_i].text, &d), "accepted: %s", bad[_i].text);
    char where[32];
    snprintf(where, sizeof where, "cfg.yaml:%d: ", bad[_i].line);
    ck_assert_msg(!strncmp(d.msg, where, strlen(where)), "'%s' does not start with '%s'", d.msg,
                  where);
    ck_assert_msg(strstr(d.msg, bad[_i].words), "'%s' lacks '%s'", d.msg, bad[_i].words);
    ck_assert_int_eq(d.exit_code, EXIT_USAGE);
    config_free(&c);
}
END_TEST

START_TEST(test_missing_file)
{
    BuildConfig c;
    Diag d;
    diag_init(&d);
    ck_assert(!config_load(&c, "/nonexistent/x.yaml", &d));
    ck_assert_ptr_nonnull(strstr(d.msg, "/nonexistent/x.yaml: cannot read"));
    config_free(&c);
}
END_TEST

START_TEST(test_shipped_configs)
{
    static const char *const names[] = { "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2",
                                         "CNV_1W1A", "CNV_1W2A", "CNV_2W2A" };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/../configs/%s.yaml", TESTS_DIR, names[k]);
        BuildConfig c;
        Diag d;
        diag_init(&d);
        ck_assert_msg(config_load(&c, path, &d), "%s", d.msg);
        ck_assert(c.clock_mhz == 100);
        ck_assert(config_has_target(&c, "ref"));
        config_free(&c);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, test_all_keys);
    tcase_add_test(tc, test_defaults);
    tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_shipped_configs);
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
