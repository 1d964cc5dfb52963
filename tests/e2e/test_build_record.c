/* DIR/build.json: `qonnxc build` records what it built from and which files
 * it wrote; `qonnxc report DIR` estimates exactly that build; a rebuild
 * never deletes a file qonnxc did not write (unless --force). */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_record.h"
#include "float_input_model.h"
#include "run_cli.h"
#include "targets.h"

#define CNV TESTS_DIR "/models/CNV_1W1A_RANDOM/model.onnx"
#define CNV_CONFIG TESTS_DIR "/../configs/CNV_1W1A.yaml"
#define TFC TESTS_DIR "/models/TFC_1W1A/model.onnx"

/* FNV-1a 64: the published test vectors (Fowler, Noll, Vo). */
START_TEST(fnv1a64_known_vectors)
{
    ck_assert_uint_eq(fnv1a64("", 0), 0xcbf29ce484222325u);
    ck_assert_uint_eq(fnv1a64("a", 1), 0xaf63dc4c8601ec8cu);
    ck_assert_uint_eq(fnv1a64("foobar", 6), 0x85944171f73967e8u);
}
END_TEST

/* The hash of a file is the hash of its bytes. */
START_TEST(file_hash_is_the_bytes_hash)
{
    char *tmp = make_temp_dir("build-record");
    char path[600], hex[17];
    snprintf(path, sizeof path, "%s/f.txt", tmp);
    FILE *f = fopen(path, "wb");
    fputs("foobar", f);
    fclose(f);
    ck_assert(file_hash_hex(path, hex));
    ck_assert_str_eq(hex, "85944171f73967e8");
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* "fps" of DIR/report/estimates.json; -1 when missing. */
static double estimates_fps(const char *dir)
{
    char path[700];
    snprintf(path, sizeof path, "%s/report/estimates.json", dir);
    char *text = read_whole_file(path, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const cJSON *net = cJSON_GetObjectItemCaseSensitive(root, "network");
    const cJSON *fps = cJSON_GetObjectItemCaseSensitive(net ? net : root, "fps");
    double v = cJSON_IsNumber(fps) ? fps->valuedouble : -1;
    cJSON_Delete(root);
    free(text);
    return v;
}

static CliResult build(const char *model, const char *config, const char *out,
                       const char *targets, const char *extra)
{
    const char *args[12] = { "build", model, "-o", out, "--target", targets };
    int n = 6;
    if (config) {
        args[n++] = "-c";
        args[n++] = config;
    }
    if (extra)
        args[n++] = extra;
    args[n] = NULL;
    return run_qonnxc(args);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = read_whole_file(from, &len);
    ck_assert_ptr_nonnull(data);
    FILE *f = fopen(to, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    free(data);
}

/* build.json holds the absolute model path and the hash of its bytes, the
 * config, the targets and every file written, read back with cJSON. */
START_TEST(build_json_records_inputs_and_files)
{
    char *tmp = make_temp_dir("build-record");
    char out[600], json[700], hex[17];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(json, sizeof json, "%s/build.json", out);
    CliResult r = build(TFC, TESTS_DIR "/../configs/TFC_1W1A.yaml", out, "ref,hls", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    char *text = read_whole_file(json, NULL);
    ck_assert_msg(text != NULL, "no %s", json);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(model, "path");
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(model, "fnv1a64");
    ck_assert(cJSON_IsString(path) && path->valuestring[0] == '/');
    ck_assert_ptr_nonnull(strstr(path->valuestring, "models/TFC_1W1A/model.onnx"));
    ck_assert(file_hash_hex(TFC, hex));
    ck_assert(cJSON_IsString(hash));
    ck_assert_str_eq(hash->valuestring, hex);
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(root, "config");
    const cJSON *cpath = cJSON_GetObjectItemCaseSensitive(config, "path");
    ck_assert(cJSON_IsString(cpath) && strstr(cpath->valuestring, "configs/TFC_1W1A.yaml"));
    ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "qonnxc_version")));
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
    ck_assert_int_eq(cJSON_GetArraySize(targets), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(targets, 0)->valuestring, "ref");
    ck_assert_str_eq(cJSON_GetArrayItem(targets, 1)->valuestring, "hls");
    /* every file listed exists, and the listed set is what build wrote */
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files"), *e;
    bool has_json = false, has_est = false, has_ref_mk = false, has_hls_mk = false;
    cJSON_ArrayForEach(e, files) {
        char p[900];
        snprintf(p, sizeof p, "%s/%s", out, e->valuestring);
        ck_assert_msg(file_exists(p), "listed but missing: %s", p);
        has_json |= !strcmp(e->valuestring, "build.json");
        has_est |= !strcmp(e->valuestring, "report/estimates.json");
        has_ref_mk |= !strcmp(e->valuestring, "ref/Makefile");
        has_hls_mk |= !strcmp(e->valuestring, "hls/Makefile");
    }
    ck_assert(has_json && has_est && has_ref_mk && has_hls_mk);
    ck_assert_int_eq(run_shell("test $(find '%s' -type f | wc -l) -eq %d", out,
                               cJSON_GetArraySize(files)), 0);
    cJSON_Delete(root);
    free(text);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* `report DIR` right after `build` estimates the folding that was built:
 * CNV-W1A1 at FINN's folding, ~3,052 frames/s, not the default 3.46; and
 * `report -m MODEL` without -c keeps the recorded config. */
START_TEST(report_after_build_uses_the_builds_folding)
{
    char *tmp = make_temp_dir("build-record");
    char out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    CliResult r = build(CNV, CNV_CONFIG, out, "hls", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    double built = estimates_fps(out);
    ck_assert_msg(built > 3000 && built < 3100, "build: %g frames/s", built);
    cli_result_free(&r);

    const char *report[] = { "report", out, NULL };
    r = run_qonnxc(report);
    ck_assert_msg(r.exit_code == 0, "report DIR: exit %d\n%s", r.exit_code, r.err);
    ck_assert(estimates_fps(out) == built);
    cli_result_free(&r);

    const char *report_m[] = { "report", out, "-m", CNV, NULL };
    r = run_qonnxc(report_m);
    ck_assert_msg(r.exit_code == 0, "report -m: exit %d\n%s", r.exit_code, r.err);
    ck_assert_msg(estimates_fps(out) == built, "report -m estimated %g frames/s, build %g",
                  estimates_fps(out), built);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* The model changed (or is gone) since the build: report refuses, naming
 * the file, with the usage exit code, and leaves the build's estimates. */
START_TEST(report_refuses_a_changed_model)
{
    char *tmp = make_temp_dir("build-record");
    char out[600], model[600], est[700];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(model, sizeof model, "%s/model.onnx", tmp);
    snprintf(est, sizeof est, "%s/report/estimates.json", out);
    copy_file(TFC, model);
    CliResult r = build(model, NULL, out, "hls", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    char *before = read_whole_file(est, NULL);
    ck_assert_ptr_nonnull(before);

    FILE *f = fopen(model, "ab");        /* one more byte: a different file */
    fputc(0, f);
    fclose(f);
    const char *report[] = { "report", out, NULL };
    r = run_qonnxc(report);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, model) && strstr(r.err, "changed"), "%s", r.err);
    char *after = read_whole_file(est, NULL);
    ck_assert_str_eq(after, before);
    cli_result_free(&r);

    remove(model);
    r = run_qonnxc(report);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, model) && strstr(r.err, "cannot be read"), "%s", r.err);
    cli_result_free(&r);
    free(before);
    free(after);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* A user's file in a target folder survives: the rebuild is refused before
 * anything is written, the message names the file; --force replaces the
 * folder wholesale. qonnxc's own files of the earlier build are replaced,
 * and those the new build no longer writes are removed. */
START_TEST(rebuild_keeps_files_it_did_not_write)
{
    char *tmp = make_temp_dir("build-record");
    char out[600], notes[700], stale[700];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(notes, sizeof notes, "%s/ref/notes.txt", out);
    snprintf(stale, sizeof stale, "%s/ref/qc_xnor64.c", out);
    CliResult r = build(TFC, NULL, out, "ref", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    /* a plain rebuild replaces qonnxc's own files */
    r = build(TFC, NULL, out, "ref", NULL);
    ck_assert_msg(r.exit_code == 0, "rebuild over its own output: %s", r.err);
    cli_result_free(&r);

    FILE *f = fopen(notes, "w");
    fputs("mine\n", f);
    fclose(f);
    r = build(TFC, NULL, out, "ref", NULL);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, notes) && strstr(r.err, "--force"), "%s", r.err);
    ck_assert(file_exists(notes));
    cli_result_free(&r);

    /* --force: the folder is replaced as a whole, notes.txt included */
    r = build(TFC, NULL, out, "ref", "--force");
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    ck_assert(!file_exists(notes));
    cli_result_free(&r);

    /* a file the earlier build wrote and this one does not is removed:
     * TFC-W1A1 uses the xnor kernel, TFC-W2A2 does not */
    ck_assert(file_exists(stale));
    r = build(TESTS_DIR "/models/TFC_2W2A/model.onnx", NULL, out, "ref", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    ck_assert_msg(!file_exists(stale), "%s was left behind", stale);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* What `make` leaves in a target folder (the executable, Verilator's
 * obj_dir, waveforms) is not the user's: build -> make -> rebuild is the
 * usual cycle, and the rebuild replaces them as `make clean` would. A
 * user's file beside them is still refused. */
START_TEST(rebuild_after_make)
{
    char *tmp = make_temp_dir("build-record");
    char out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    CliResult r = build(TFC, TESTS_DIR "/../configs/TFC_1W1A.yaml", out, "ref,rtl", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    ck_assert_int_eq(run_shell("cd '%s' && touch ref/tfc_1w1a rtl/tfc_1w1a_rtlsim rtl/wave.vcd && "
                               "mkdir -p rtl/obj_dir rtl/synth && touch rtl/obj_dir/Vtop.o "
                               "rtl/synth/top.log", out), 0);
    r = build(TFC, TESTS_DIR "/../configs/TFC_1W1A.yaml", out, "ref,rtl", NULL);
    ck_assert_msg(r.exit_code == 0, "rebuild after make: %s", r.err);
    cli_result_free(&r);
    char made[700];
    snprintf(made, sizeof made, "%s/rtl/obj_dir/Vtop.o", out);
    ck_assert_msg(!file_exists(made), "%s survived the rebuild", made);

    ck_assert_int_eq(run_shell("touch '%s/ref/tfc_1w1a.c.orig'", out), 0);
    r = build(TFC, TESTS_DIR "/../configs/TFC_1W1A.yaml", out, "ref,rtl", NULL);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "tfc_1w1a.c.orig"), "%s", r.err);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* The target table's make products (targets.c) are what each emitted
 * Makefile's clean rule removes: the two lists must not drift apart. */
START_TEST(make_products_match_the_clean_rules)
{
    char *tmp = make_temp_dir("build-record");
    char out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    CliResult r = build(TFC, TESTS_DIR "/../configs/TFC_1W1A.yaml", out, "all", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    for (int t = 0; t < n_targets; t++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s/Makefile", out, targets[t].name);
        char *text = read_whole_file(path, NULL);
        ck_assert_msg(text != NULL, "%s", path);
        const char *rule = strstr(text, "\nclean:\n\trm -");
        ck_assert_msg(rule != NULL, "%s has no clean rule", path);
        rule = strchr(strchr(rule + 9, ' ') + 1, ' ') + 1;  /* past "rm -f" / "rm -rf" */
        char removed[512] = "", expected[512] = "";
        snprintf(removed, sizeof removed, "%.*s", (int)strcspn(rule, "\n"), rule);
        /* the table's list with % as the model name, in the rule's words */
        for (const char *p = targets[t].make_products; *p; p++)
            if (*p == '%')
                strcat(expected, "tfc_1w1a");
            else
                strncat(expected, p, 1);
        /* the Makefiles name the model as $(NAME) or literally */
        char *name_var = strstr(removed, "$(NAME)");
        if (name_var) {
            char fixed[512];
            snprintf(fixed, sizeof fixed, "%.*stfc_1w1a%s", (int)(name_var - removed), removed,
                     name_var + 7);
            snprintf(removed, sizeof removed, "%s", fixed);
        }
        ck_assert_msg(!strcmp(removed, expected), "%s: clean removes '%s', the table says '%s'",
                      targets[t].name, removed, expected);
        free(text);
    }
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* --input-type is recorded, so `report DIR` streamlines the model the way
 * build did (an unquantized input needs the type to get that far). */
START_TEST(report_uses_the_recorded_input_type)
{
    char *tmp = make_temp_dir("build-record");
    char model[600], out[600];
    snprintf(model, sizeof model, "%s/float_input.onnx", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    OnnxBuilder *b = ob_float_input_mlp();
    ck_assert(ob_write(b, model));
    ob_free(b);
    const char *args[] = { "build", model, "-o", out, "--target", "hls", "--input-type",
                           "fixed<8,3>", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    char path[700];
    snprintf(path, sizeof path, "%s/build.json", out);
    char *text = read_whole_file(path, NULL);
    cJSON *root = cJSON_Parse(text);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "input_type");
    ck_assert_msg(cJSON_IsString(it) && !strcmp(it->valuestring, "fixed<8,3>"), "%s", text);
    cJSON_Delete(root);
    free(text);
    const char *rep[] = { "report", out, NULL };
    r = run_qonnxc(rep);
    ck_assert_msg(r.exit_code == 0, "report after build --input-type: %s", r.err);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* Many unknown files: the first few are named, and the count. */
START_TEST(refusal_names_the_first_files_and_the_count)
{
    char *tmp = make_temp_dir("build-record");
    char out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    ck_assert_int_eq(run_shell("mkdir -p '%s/ref/mine' && for k in 1 2 3 4 5 6 7; do "
                               "echo $k > '%s/ref/mine/f'$k; done", out, out), 0);
    CliResult r = build(TFC, NULL, out, "ref", NULL);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "7 files") && strstr(r.err, "ref/mine/f1") &&
                  !strstr(r.err, "ref/mine/f7"), "%s", r.err);
    /* nothing was written */
    ck_assert_int_eq(run_shell("test ! -e '%s/build.json' && test $(ls '%s/ref' | wc -l) -eq 1",
                               out, out), 0);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* `report` adds its files to build.json, so a rebuild takes them as
 * qonnxc's own (dataflow.svg is not the user's). */
START_TEST(rebuild_after_report)
{
    char *tmp = make_temp_dir("build-record");
    char out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    CliResult r = build(TFC, NULL, out, "hls", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    const char *report[] = { "report", out, NULL };
    r = run_qonnxc(report);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    r = build(TFC, NULL, out, "hls", NULL);
    ck_assert_msg(r.exit_code == 0, "rebuild after report: %s", r.err);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* CNV at PE = SIMD = 1 is 3.46 frames/s at 100 MHz: build says so and how
 * to fold; at FINN's folding (configs/) it is quiet. */
START_TEST(slow_folding_warning)
{
    char *tmp = make_temp_dir("build-record");
    char out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    CliResult r = build(CNV, NULL, out, "hls", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "warning") && strstr(r.err, "3.46 frames/s") &&
                  strstr(r.err, "target_fps") && strstr(r.err, "pe:"), "%s", r.err);
    cli_result_free(&r);
    r = build(CNV, CNV_CONFIG, out, "hls", NULL);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    ck_assert_msg(!strstr(r.err, "warning"), "%s", r.err);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* A build.json that is not a record: -1 and an error naming the file and
 * the member, then what the file is; never a crash. */
static void record_refused(const char *text, const char *message)
{
    char *tmp = make_temp_dir("build-record-bad");
    char path[600];
    snprintf(path, sizeof path, "%s/build.json", tmp);
    write_whole_file(path, text);
    BuildRecord rec;
    Diag d;
    diag_init(&d);
    ck_assert_int_eq(build_record_read(tmp, &rec, &d), -1);
    ck_assert_int_eq(d.exit_code, 2);
    char want[800];
    snprintf(want, sizeof want, "%s: %s", path, message);
    ck_assert_msg(strstr(d.msg, want) && strstr(d.msg, "is not a valid build record"),
                  "for %s\nexpected \"%s\", got: %s", text, want, d.msg);
    build_record_free(&rec);
    rm_rf(tmp);
    free(tmp);
}

#define GOOD_MODEL "\"model\": {\"path\": \"/m.onnx\", \"fnv1a64\": \"0123456789abcdef\"}"

START_TEST(broken_record_names_the_member)
{
    record_refused("", "empty");
    record_refused("{\"qonnxc_version\": \"0.5.0\", " GOOD_MODEL ", \"config\": null, "
                   "\"targets\": [\"ref\"", "not valid JSON: truncated");
    record_refused("{\"model\": 1}", "\"qonnxc_version\" is missing");
    record_refused("{\"qonnxc_version\": 5}", "\"qonnxc_version\" is a number, not a string");
    record_refused("{\"qonnxc_version\": \"0.5.0\", \"model\": null}",
                   "\"model\" is null, not an object");
    record_refused("{\"qonnxc_version\": \"0.5.0\", \"model\": {\"path\": \"/m.onnx\"}}",
                   "\"model.fnv1a64\" is missing");
    record_refused("{\"qonnxc_version\": \"0.5.0\", \"model\": {\"path\": \"/m.onnx\", "
                   "\"fnv1a64\": \"12\"}}", "\"model.fnv1a64\" is not 16 hex digits");
    record_refused("{\"qonnxc_version\": \"0.5.0\", " GOOD_MODEL ", \"config\": null, "
                   "\"targets\": \"ref\"}", "\"targets\" is a string, not an array");
    record_refused("{\"qonnxc_version\": \"0.5.0\", " GOOD_MODEL ", \"config\": null, "
                   "\"targets\": [\"ref\"], \"files\": [\"a\", 2]}",
                   "\"files[1]\" is not a string");
    /* the same, whole, is read */
    char *tmp = make_temp_dir("build-record-good");
    char path[600];
    snprintf(path, sizeof path, "%s/build.json", tmp);
    write_whole_file(path, "{\"qonnxc_version\": \"0.5.0\", " GOOD_MODEL ", \"config\": null, "
                           "\"targets\": [\"ref\"], \"files\": [\"a\", \"b\"]}");
    BuildRecord rec;
    Diag d;
    diag_init(&d);
    ck_assert_int_eq(build_record_read(tmp, &rec, &d), 1);
    ck_assert_str_eq(rec.model.path, "/m.onnx");
    ck_assert_ptr_null(rec.config.path);
    ck_assert_int_eq(rec.n_files, 2);
    build_record_free(&rec);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("build_record");
    TCase *tc = tcase_create("record");
    tcase_add_test(tc, fnv1a64_known_vectors);
    tcase_add_test(tc, file_hash_is_the_bytes_hash);
    tcase_add_test(tc, build_json_records_inputs_and_files);
    tcase_add_test(tc, report_after_build_uses_the_builds_folding);
    tcase_add_test(tc, report_refuses_a_changed_model);
    tcase_add_test(tc, rebuild_keeps_files_it_did_not_write);
    tcase_add_test(tc, refusal_names_the_first_files_and_the_count);
    tcase_add_test(tc, rebuild_after_report);
    tcase_add_test(tc, slow_folding_warning);
    tcase_add_test(tc, broken_record_names_the_member);
    tcase_add_test(tc, rebuild_after_make);
    tcase_add_test(tc, make_products_match_the_clean_rules);
    tcase_add_test(tc, report_uses_the_recorded_input_type);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
