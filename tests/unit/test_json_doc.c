/* JSON through cJSON (src/emit/json_doc.h): the one printer every JSON
 * file qonnxc writes goes through, and the readers of the files it reads
 * back (rtlsim.json, rtl/rtlsim_stats.h). A reader given a broken file
 * answers with the file and the member, never a crash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_doc.h"
#include "rtlsim_stats.h"
#include "run_cli.h"

/* The text of a document built by `fill`. */
static char *printed(void (*fill)(JsonDoc *doc))
{
    JsonDoc doc;
    json_doc_init(&doc);
    fill(&doc);
    TextBuf b;
    tb_init(&b);
    ck_assert(json_doc_finish(&doc, &b));
    char *s = strdup(tb_str(&b));
    tb_free(&b);
    return s;
}

static void fill_layout(JsonDoc *doc)
{
    jd_string(doc, doc->root, "model", "tfc");
    jd_null(doc, doc->root, "target_fps");
    cJSON *in = jd_object(doc, doc->root, "in");
    jd_string(doc, in, "dtype", "BIPOLAR");
    jd_int(doc, in, "beats", 16);
    cJSON *layers = jd_array(doc, doc->root, "layers");
    cJSON *l = jd_object(doc, layers, NULL);
    jd_bool(doc, l, "xnor", true);
    cJSON *s = jd_object(doc, l, "out");
    jd_int(doc, s, "width", 4);
    jd_array(doc, doc->root, "missing");
    jd_object(doc, doc->root, "empty");
}

/* Two-space indentation; containers of scalars below the top on one line. */
START_TEST(test_layout)
{
    char *s = printed(fill_layout);
    ck_assert_str_eq(s, "{\n"
                        "  \"model\": \"tfc\",\n"
                        "  \"target_fps\": null,\n"
                        "  \"in\": {\"dtype\": \"BIPOLAR\", \"beats\": 16},\n"
                        "  \"layers\": [\n"
                        "    {\n"
                        "      \"xnor\": true,\n"
                        "      \"out\": {\"width\": 4}\n"
                        "    }\n"
                        "  ],\n"
                        "  \"missing\": [],\n"
                        "  \"empty\": {}\n"
                        "}\n");
    free(s);
}
END_TEST

static void fill_long(JsonDoc *doc)
{
    cJSON *files = jd_array(doc, doc->root, "files");
    for (int k = 0; k < 10; k++)
        jd_string(doc, files, NULL, "hls/some_file_name.c");
}

/* ...unless the line would pass 100 columns: then one element a line. */
START_TEST(test_long_lines_break)
{
    char *s = printed(fill_long);
    ck_assert_msg(!strncmp(s, "{\n  \"files\": [\n    \"hls/some_file_name.c\",\n", 42), "%s", s);
    for (const char *line = s; *line; line = strchr(line, '\n') + 1)
        ck_assert_int_le(strcspn(line, "\n"), 100);
    free(s);
}
END_TEST

static void fill_numbers(JsonDoc *doc)
{
    cJSON *v = jd_array(doc, doc->root, "v");
    jd_number(doc, v, NULL, 0.1);
    jd_number(doc, v, NULL, 3051.7578125);    /* 100 MHz / 32768 cycles */
    jd_number(doc, v, NULL, 1.0 / 3.0);
    jd_number(doc, v, NULL, 0.1 + 0.2);        /* not 0.3: one ulp above */
    cJSON *w = jd_array(doc, doc->root, "w");
    jd_int(doc, w, NULL, 9007199254740992LL); /* 2^53 */
    jd_int(doc, w, NULL, -42);
    jd_number(doc, w, NULL, 1e-7);
    jd_number_as(doc, w, NULL, "%.2f", 3051.7578125);
    jd_number_as(doc, w, NULL, "%.6g", 100.0);
}

/* Numbers read back as the same double, integers as integers, short values
 * stay short: the fewest of 15, 16, 17 digits that round-trip. */
START_TEST(test_numbers)
{
    char *s = printed(fill_numbers);
    ck_assert_str_eq(s, "{\n"
                        "  \"v\": [0.1, 3051.7578125, 0.3333333333333333, 0.30000000000000004],\n"
                        "  \"w\": [9007199254740992, -42, 1e-07, 3051.76, 100]\n}\n");
    cJSON *back = cJSON_Parse(s);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(back, "v");
    ck_assert(cJSON_GetArrayItem(v, 0)->valuedouble == 0.1);
    ck_assert(cJSON_GetArrayItem(v, 2)->valuedouble == 1.0 / 3.0);
    ck_assert(cJSON_GetArrayItem(v, 3)->valuedouble == 0.1 + 0.2);
    ck_assert(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(back, "w"), 2)->valuedouble ==
              1e-7);
    cJSON_Delete(back);
    free(s);
}
END_TEST

static void fill_strings(JsonDoc *doc)
{
    jd_string(doc, doc->root, "name", "/conv.1/\"Conv\"\\x\n\t\x01\xc3\xa9");
}

/* Names are escaped by cJSON: quote, backslash, control bytes; UTF-8 kept. */
START_TEST(test_strings)
{
    char *s = printed(fill_strings);
    ck_assert_str_eq(s, "{\n  \"name\": \"/conv.1/\\\"Conv\\\"\\\\x\\n\\t\\u0001\xc3\xa9\"\n}\n");
    cJSON *back = cJSON_Parse(s);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(back, "name")->valuestring,
                     "/conv.1/\"Conv\"\\x\n\t\x01\xc3\xa9");
    cJSON_Delete(back);
    free(s);
}
END_TEST

/* A member added to a parent that does not exist (an earlier add failed)
 * makes the whole document fail, not print without it. */
START_TEST(test_failed_add_fails_the_document)
{
    JsonDoc doc;
    json_doc_init(&doc);
    jd_int(&doc, NULL, "lost", 1);
    TextBuf b;
    tb_init(&b);
    ck_assert(!json_doc_finish(&doc, &b));
    ck_assert(b.oom);
    ck_assert_uint_eq(b.len, 0);
    tb_free(&b);
}
END_TEST

/* ---- reading ------------------------------------------------------------------ */

/* rtlsim_stats_read on `text` written to a file must fail with `message`
 * after the file's name. */
static void rtlsim_refused(const char *text, int n_fifos, const char *message)
{
    char *dir = make_temp_dir("json-doc");
    char path[600];
    snprintf(path, sizeof path, "%s/rtlsim.json", dir);
    write_whole_file(path, text);
    int64_t occ[4], cycles;
    Diag d;
    diag_init(&d);
    ck_assert_msg(!rtlsim_stats_read(path, n_fifos, occ, &cycles, &d), "accepted: %s", text);
    ck_assert_int_eq(d.exit_code, EXIT_INTERNAL);
    char want[800];
    snprintf(want, sizeof want, "%s: %s", path, message);
    ck_assert_msg(strstr(d.msg, want), "for %s\nexpected \"%s\", got: %s", text, want, d.msg);
    rm_rf(dir);
    free(dir);
}

/* What the simulation writes (sim/rtlsim_main.cpp), read back. */
START_TEST(test_rtlsim_read)
{
    char *dir = make_temp_dir("json-doc");
    char path[600];
    snprintf(path, sizeof path, "%s/rtlsim.json", dir);
    write_whole_file(path, "{\n  \"model\": \"tfc\",\n  \"frames\": 20,\n"
                           "  \"cycles_per_frame\": 64,\n"
                           "  \"fifos\": [\n"
                           "    {\"name\": \"fifo_0\", \"depth\": 64, \"max_occupancy\": 3},\n"
                           "    {\"name\": \"fifo_1\", \"depth\": 64, \"max_occupancy\": 17}\n"
                           "  ]\n}\n");
    int64_t occ[2] = { 0, 0 }, cycles = 0;
    Diag d;
    diag_init(&d);
    ck_assert_msg(rtlsim_stats_read(path, 2, occ, &cycles, &d), "%s", d.msg);
    ck_assert_int_eq(cycles, 64);
    ck_assert_int_eq(occ[0], 3);
    ck_assert_int_eq(occ[1], 17);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_rtlsim_malformed)
{
    rtlsim_refused("", 0, "empty: not a JSON file");
    /* the simulation killed while writing */
    rtlsim_refused("{\n  \"model\": \"tfc\",\n  \"cycles_per_frame\": 64,\n  \"fifos\": [\n"
                   "    {\"name\": \"fifo_0\", \"depth\": 6", 1,
                   "not valid JSON: truncated (the text ends at line 5 inside a value)");
    rtlsim_refused("{\"cycles_per_frame\": 64,, \"fifos\": []}", 0,
                   "not valid JSON: parsing stopped at line 1");
    rtlsim_refused("[64]", 0, "\"(root)\" is an array, not an object");
    rtlsim_refused("{\"fifos\": []}", 0, "\"cycles_per_frame\" is missing");
    rtlsim_refused("{\"cycles_per_frame\": \"64\", \"fifos\": []}", 0,
                   "\"cycles_per_frame\" is a string, not a whole number");
    rtlsim_refused("{\"cycles_per_frame\": 64.5, \"fifos\": []}", 0,
                   "\"cycles_per_frame\" is 64.5, not a whole number");
    rtlsim_refused("{\"cycles_per_frame\": 64}", 0, "\"fifos\" is missing");
    rtlsim_refused("{\"cycles_per_frame\": 64, \"fifos\": {}}", 0,
                   "\"fifos\" is an object, not an array");
    /* a simulation of another design: more FIFOs than this one has */
    rtlsim_refused("{\"cycles_per_frame\": 64, \"fifos\": [{\"max_occupancy\": 1}, "
                   "{\"max_occupancy\": 2}]}", 1, "\"fifos\" has 2 entries, the design 1 FIFOs");
    rtlsim_refused("{\"cycles_per_frame\": 64, \"fifos\": [{\"max_occupancy\": 1}, 7]}", 2,
                   "\"fifos[1]\" is a number, not an object");
    rtlsim_refused("{\"cycles_per_frame\": 64, \"fifos\": [{\"depth\": 8}]}", 1,
                   "\"fifos[0].max_occupancy\" is missing");
    rtlsim_refused("{\"cycles_per_frame\": 64, \"fifos\": [{\"max_occupancy\": null}]}", 1,
                   "\"fifos[0].max_occupancy\" is null, not a whole number");
}
END_TEST

START_TEST(test_unreadable_file)
{
    int64_t occ[1], cycles;
    Diag d;
    diag_init(&d);
    ck_assert(!rtlsim_stats_read("/nonexistent/rtlsim.json", 0, occ, &cycles, &d));
    ck_assert_msg(strstr(d.msg, "/nonexistent/rtlsim.json: cannot read"), "%s", d.msg);
    diag_init(&d);
    ck_assert_ptr_null(json_parse_text("{\"a\": 1} {", "two.json", &d));
    ck_assert_msg(strstr(d.msg, "two.json: not valid JSON"), "%s", d.msg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json_doc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_long_lines_break);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_strings);
    tcase_add_test(tc, test_failed_add_fails_the_document);
    tcase_add_test(tc, test_rtlsim_read);
    tcase_add_test(tc, test_rtlsim_malformed);
    tcase_add_test(tc, test_unreadable_file);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
