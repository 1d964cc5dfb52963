/* `qonnxc info MODEL`: the activation table.
 *
 * One row per node output: tensor, op, shape, datatype, under a header
 * naming them. Each column is as wide as its longest entry, so the table
 * reads the same whether tensors are called "31" (TFC-W1A1, a FINN export;
 * the column used to be 56 blanks wide) or
 * "/conv_features.1/weight_quant/export_handler/BipolarQuant_output_0"
 * (CNV, a PyTorch export; such a name used to push its row out of line),
 * and an op as long as BatchNormalization stays inside its column. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_cli.h"

/* Where line (up to its newline) has a word starting at column col. */
static int word_at(const char *line, long col)
{
    for (long k = 0; k < col; k++)
        if (line[k] == '\n' || line[k] == '\0')
            return 0;
    return line[col] != ' ' && line[col] != '\n' && line[col - 1] == ' ';
}

static void check_table(const char *model)
{
    const char *args[] = { "info", model, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    const char *table = strstr(r.out, "activations:\n");
    ck_assert_ptr_nonnull(table);
    const char *header = table + strlen("activations:\n");
    ck_assert_msg(!strncmp(header, "  tensor ", 9), "no header:\n%s", header);
    static const char *const columns[] = { " op ", " shape ", " datatype\n" };
    long col[3];
    for (int c = 0; c < 3; c++) {
        const char *at = strstr(header, columns[c]);
        ck_assert_ptr_nonnull(at);
        col[c] = at + 1 - header;
    }
    int rows = 0;
    /* a column is no wider than its longest entry: some line fills it */
    int filled[3] = { 0, 0, 0 };
    const char *row = header;
    for (; strncmp(row, "parameters:", 11) != 0; row = strchr(row, '\n') + 1) {
        ck_assert_msg(!strncmp(row, "  ", 2) && row[2] != ' ', "row without a tensor: %.80s",
                      row);
        for (int c = 0; c < 3; c++) {
            ck_assert_msg(word_at(row, col[c]), "%s: not in line with the header:\n%.*s\n%.*s",
                          model, (int)(strchr(header, '\n') - header), header,
                          (int)(strchr(row, '\n') - row), row);
            filled[c] |= row[col[c] - 2] != ' ';
        }
        rows++;
    }
    ck_assert_int_gt(rows, 10);
    for (int c = 0; c < 3; c++)
        ck_assert_msg(filled[c], "%s: the column before '%s' is wider than its entries", model,
                      columns[c]);
    cli_result_free(&r);
}

START_TEST(short_names)
{
    check_table(TESTS_DIR "/models/TFC_1W1A/model.onnx");
}
END_TEST

START_TEST(long_names)
{
    check_table(TESTS_DIR "/models/CNV_1W1A_RANDOM/model.onnx");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("info_table");
    TCase *tc = tcase_create("activations");
    tcase_add_test(tc, short_names);
    tcase_add_test(tc, long_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
