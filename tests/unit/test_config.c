/* Build configurations (src/config.c): every key, the defaults, every
 * shipped configs/<model>.yaml, and errors that name the file and the line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    { "clock_mhz: -5\n", 1, "'clock_mhz' must be a number in [0.001, 100000], not -5" },
    { "clock_mhz: 1e300\n", 1, "'clock_mhz' must be a number in [0.001, 100000], not 1e300" },
    { "clock_mhz: .nan\n", 1, "'clock_mhz' must be a number, not '.nan'" },
    { "target_fps: 1e13\n", 1, "'target_fps' must be a number in [0.001, 1e+12]" },
    { "fifo_depth: 99999999999999999999\n", 1,
      "'fifo_depth' must be in [1, 16777216], not 99999999999999999999" },
    { "clock_mhz: 100\nclock_mhz: 200\n", 2, "'clock_mhz' is set twice (first on line 1)" },
    { "folding:\n  - {mvau: 0,\n     pe: 2, pe: 4}\n", 3, "'pe' is set twice (first on line 3)" },
    { "clock_mhz: 100\n---\nclock_mhz: 200\n", 2, "a second YAML document" },
    { "folding:\n  - {layer: \"conv\\0x\", pe: 2}\n", 2, "a value holds a NUL character" },
    { "folding:\n\t- {mvau: 0}\n", 2, "(YAML indents with spaces, not tabs)" },
    /* the root map and 15 lists: 16 deep, the limit; then 17 */
    { "folding: [[[[[[[[[[[[[[[]]]]]]]]]]]]]]]\n", 1, "a 'folding' entry must be a map" },
    { "folding: [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]\n", 1, "lists and maps nested more than 16 deep" },
    { "targets: [\"r\\x1b[31mef\"]\n", 1, "unknown target 'r\\x1B[31mef'" },
    { "clock_mhz: *nothere\n", 1, "YAML syntax error: found undefined alias" },
    { "&r {folding: [*r]}\n", 1, "unknown key 'folding' in a folding entry" },
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

/* Parses text built at run time; returns the message of the error it must give. */
static const char *parse_fails(char *text, Diag *d)
{
    BuildConfig c;
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(!parse(&c, text, d), "accepted %.60s...", text);
    ck_assert_int_eq(d->exit_code, EXIT_USAGE);
    config_free(&c);
    free(text);
    return d->msg;
}

START_TEST(test_limits)
{
    Diag d;
    const char *msg;
    /* CONFIG_MAX_FOLDING entries are fine, one more is not */
    for (int n = CONFIG_MAX_FOLDING; n <= CONFIG_MAX_FOLDING + 1; n++) {
        char *text = malloc((size_t)n * 24 + 16);
        size_t len = (size_t)sprintf(text, "folding:\n");
        for (int k = 0; k < n; k++)
            len += (size_t)sprintf(text + len, "- {mvau: %d}\n", k);
        BuildConfig c;
        bool ok = parse(&c, text, &d);
        free(text);
        config_free(&c);
        if (n == CONFIG_MAX_FOLDING)
            ck_assert_msg(ok, "%s", d.msg);
        else
            ck_assert_str_eq(d.msg, "cfg.yaml:2: 'folding' has 4097 entries, more than the 4096 "
                             "a configuration may hold");
    }
    /* aliases: 256 are fine, 257 are not */
    for (int n = CONFIG_MAX_ALIASES; n <= CONFIG_MAX_ALIASES + 1; n++) {
        char *text = malloc((size_t)n * 4 + 32);
        size_t len = (size_t)sprintf(text, "targets: [&t ref");
        for (int k = 0; k < n; k++)
            len += (size_t)sprintf(text + len, ",*t");
        sprintf(text + len, "]\n");
        BuildConfig c;
        bool ok = parse(&c, text, &d);
        free(text);
        config_free(&c);
        if (n == CONFIG_MAX_ALIASES)
            ck_assert_msg(ok && c.n_targets == 0, "%s", d.msg); /* config_free zeroed c */
        else
            ck_assert_str_eq(d.msg, "cfg.yaml:1: more than 256 aliases (*name)");
    }
    /* the size limit holds for text in memory too, before any parsing */
    char *big = malloc(CONFIG_MAX_BYTES + 2);
    memset(big, '#', CONFIG_MAX_BYTES + 1);
    big[CONFIG_MAX_BYTES + 1] = '\0';
    msg = parse_fails(big, &d);
    ck_assert_str_eq(msg, "cfg.yaml: the configuration has 1048577 bytes, more than the 1048576 "
                     "a configuration may have");
    /* a long value is cut in the message */
    char *longname = malloc(5100);
    sprintf(longname, "targets: [%0*d]\n", 5000, 7);
    msg = parse_fails(longname, &d);
    ck_assert_str_eq(msg, "cfg.yaml:1: unknown target "
                     "'0000000000000000000000000000000000000000...' (targets: ref, hls, rtl, "
                     "mcu, npu, ice40)");
}
END_TEST

START_TEST(test_not_text)
{
    BuildConfig c;
    Diag d;
    const char text[] = "targets: [ref]\nfolding:\n  - {layer: \"\xff\xfe\", pe: 2}\n";
    diag_init(&d);
    ck_assert(!config_parse(&c, text, sizeof text - 1, "cfg.yaml", &d));
    ck_assert_str_eq(d.msg, "cfg.yaml: byte offset 37: invalid leading UTF-8 octet (a "
                     "configuration is UTF-8 text)");
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
    /* a directory opens, but is no configuration (it used to read as empty) */
    diag_init(&d);
    ck_assert(!config_load(&c, TESTS_DIR, &d));
    ck_assert_ptr_nonnull(
        strstr(d.msg, TESTS_DIR ": cannot read the configuration: Is a directory"));
    ck_assert_int_eq(d.exit_code, EXIT_USAGE);
    config_free(&c);
}
END_TEST

/* A file over CONFIG_MAX_BYTES fails naming the file, without parsing it. */
START_TEST(test_file_too_large)
{
    char path[] = "/tmp/qonnxc_test_config_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    for (int k = 0; k <= CONFIG_MAX_BYTES; k++)
        fputc('#', f);
    fclose(f);
    BuildConfig c;
    Diag d;
    diag_init(&d);
    bool ok = config_load(&c, path, &d);
    unlink(path);
    ck_assert(!ok);
    char want[128];
    snprintf(want, sizeof want, "%s: the configuration is larger than 1048576 bytes (1 MiB)", path);
    ck_assert_str_eq(d.msg, want);
    ck_assert_int_eq(d.exit_code, EXIT_USAGE);
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
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_not_text);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_file_too_large);
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
