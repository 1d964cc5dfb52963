/* Datatype names: printing and parsing the strings QONNX/FINN annotate. */
#include <check.h>
#include <stdlib.h>

#include "qc_dtype_name.h"

START_TEST(test_name)
{
    char buf[16];
    ck_assert_str_eq(qc_dtype_name(qc_dtype_int(4), buf), "INT4");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_uint(8), buf), "UINT8");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_int(32), buf), "INT32");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_uint(32), buf), "UINT32");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_int(1), buf), "INT1");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_bipolar(), buf), "BIPOLAR");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_binary(), buf), "BINARY");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_ternary(), buf), "TERNARY");
    ck_assert_str_eq(qc_dtype_name(qc_dtype_int(33), buf), "INVALID");
    ck_assert_ptr_eq(qc_dtype_name(qc_dtype_int(4), buf), buf);
}
END_TEST

START_TEST(test_parse)
{
    qc_dtype d;
    ck_assert_int_eq(qc_dtype_parse("INT4", &d), 0);
    ck_assert_int_eq(d.kind, QC_INT);
    ck_assert_int_eq(d.bits, 4);
    ck_assert_int_eq(qc_dtype_parse("UINT32", &d), 0);
    ck_assert_int_eq(d.kind, QC_UINT);
    ck_assert_int_eq(d.bits, 32);
    ck_assert_int_eq(qc_dtype_parse("INT32", &d), 0); /* FINN's accumulator type */
    ck_assert_int_eq(d.kind, QC_INT);
    ck_assert_int_eq(d.bits, 32);
    ck_assert_int_eq(qc_dtype_parse("BIPOLAR", &d), 0);
    ck_assert_int_eq(d.kind, QC_BIPOLAR);
    ck_assert_int_eq(d.bits, 1);
    ck_assert_int_eq(qc_dtype_parse("TERNARY", &d), 0);
    ck_assert_int_eq(d.kind, QC_TERNARY);
    ck_assert_int_eq(d.bits, 2);
    ck_assert_int_eq(qc_dtype_parse("BINARY", &d), 0);
    ck_assert_int_eq(d.kind, QC_BINARY);
}
END_TEST

START_TEST(test_parse_rejects)
{
    static const char *bad[] = {
        "FLOAT32", "INT0", "INT33", "UINT0", "INT", "UINT", "int8", "INT08",
        "INT8 ", " INT8", "", "INT100", "BIPOLARX", "UINT-1", "INT3x",
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        qc_dtype d = qc_dtype_uint(7);
        ck_assert_msg(qc_dtype_parse(bad[i], &d) == -1, "accepted \"%s\"", bad[i]);
        /* *out is left untouched on failure */
        ck_assert_int_eq(d.kind, QC_UINT);
        ck_assert_int_eq(d.bits, 7);
    }
}
END_TEST

START_TEST(test_round_trip)
{
    qc_dtype all[3 + 64];
    size_t n = 0, i;
    unsigned b;
    all[n++] = qc_dtype_bipolar();
    all[n++] = qc_dtype_binary();
    all[n++] = qc_dtype_ternary();
    for (b = 1; b <= 32; ++b) {
        all[n++] = qc_dtype_int(b);
        all[n++] = qc_dtype_uint(b);
    }
    for (i = 0; i < n; ++i) {
        char buf[16];
        qc_dtype d;
        ck_assert_int_eq(qc_dtype_parse(qc_dtype_name(all[i], buf), &d), 0);
        ck_assert_int_eq(d.kind, all[i].kind);
        ck_assert_int_eq(d.bits, all[i].bits);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_dtype_name");
    TCase *tc = tcase_create("dtype_name");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_name);
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_parse_rejects);
    tcase_add_test(tc, test_round_trip);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
