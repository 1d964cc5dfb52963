/* The input types of --input-type and the config key input_type
 * (ir/input_type.h): what each text means, and the errors for the rest. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "input_type.h"

static InputType parse_ok(const char *text)
{
    InputType t;
    char err[256] = "";
    ck_assert_msg(input_type_parse(text, &t, err, sizeof err), "%s: %s", text, err);
    return t;
}

static void parse_bad(const char *text, const char *phrase)
{
    InputType t;
    char err[256] = "";
    ck_assert_msg(!input_type_parse(text, &t, err, sizeof err), "'%s' was accepted", text);
    ck_assert_int_eq(t.bits, 0);
    ck_assert_msg(strstr(err, phrase), "'%s': message lacks '%s': %s", text, phrase, err);
}

/* ap_fixed<W,I>: W bits in all, I integer bits including the sign, so the
 * step is 2^-(W-I) and the range [-2^(I-1), 2^(I-1) - step]. */
START_TEST(test_fixed)
{
    InputType t = parse_ok("fixed<16,6>");
    ck_assert_int_eq(t.bits, 16);
    ck_assert(t.is_signed && t.fixed);
    ck_assert(t.scale == ldexpf(1.0f, -10));
    t = parse_ok("ap_fixed<8,3>");
    ck_assert(t.bits == 8 && t.is_signed && t.scale == 1.0f / 32);
    /* unsigned: all I integer bits are magnitude; ufixed<8,0> is [0, 255/256] */
    t = parse_ok("ufixed<8,0>");
    ck_assert(t.bits == 8 && !t.is_signed && t.scale == 1.0f / 256);
    t = parse_ok("AP_UFIXED<4,6>");  /* more integer bits than bits: a step of 4 */
    ck_assert(t.bits == 4 && !t.is_signed && t.scale == 4.0f);
    ck_assert_str_eq(t.text, "AP_UFIXED<4,6>");
}
END_TEST

/* INTn / UINTn are integers, times an optional @SCALE (default 1). */
START_TEST(test_int)
{
    InputType t = parse_ok("INT8");
    ck_assert(t.bits == 8 && t.is_signed && !t.fixed && t.scale == 1.0f);
    t = parse_ok("int8@0.0625");
    ck_assert(t.bits == 8 && t.is_signed && t.scale == 0.0625f);
    t = parse_ok("UINT1@0.5");
    ck_assert(t.bits == 1 && !t.is_signed && t.scale == 0.5f);
    t = parse_ok("UINT32");
    ck_assert_int_eq(t.bits, 32);
    /* the scale is what the Quant node stores: float32 */
    t = parse_ok("INT4@0.1");
    ck_assert(t.scale == 0.1f);
}
END_TEST

START_TEST(test_bad_types)
{
    parse_bad("", "unknown type name");
    parse_bad("float32", "unknown type name");
    parse_bad("fixed", "write fixed<W,I>");
    parse_bad("fixed<8>", "write fixed<W,I>");
    parse_bad("fixed<8,3", "write fixed<W,I>");
    parse_bad("fixed<a,3>", "write fixed<W,I>");
    parse_bad("fixed<8,3>x", "unexpected text after '>'");
    parse_bad("fixed<8,3>@0.5", "has its own scale");
    /* a 1-bit signed Quant means bipolar in QONNX, not ap_fixed<1,1>'s {-1, 0} */
    parse_bad("fixed<1,1>", "W must be 2 to 32");
    parse_bad("fixed<33,3>", "W must be 2 to 32");
    parse_bad("ufixed<0,0>", "W must be 1 to 32");
    parse_bad("fixed<8,100>", "fraction bits");
    parse_bad("INT", "need a bit count");
    parse_bad("INT-8", "need a bit count");
    parse_bad("INT1", "INTn needs n from 2 to 32");
    parse_bad("UINT0", "UINTn needs n from 1 to 32");
    parse_bad("INT33", "INTn needs n from 2 to 32");
    parse_bad("INT8@", "the scale follows '@'");
    parse_bad("INT8x", "the scale follows '@'");
    parse_bad("INT8@abc", "not a number");
    parse_bad("INT8@0", "not a positive float32");
    parse_bad("INT8@-1", "not a positive float32");
    parse_bad("INT8@1e300", "not a positive float32");
    parse_bad("INT8@nan", "not a positive float32");
    parse_bad("INT8@1e-50", "not a positive float32");   /* 0 in float32 */
}
END_TEST

static bool config(const char *text, BuildConfig *c, Diag *d)
{
    diag_init(d);
    return config_parse(c, text, strlen(text), "c.yaml", d);
}

/* In a configuration: input_type, and input_scale for INTn / UINTn (either
 * order); errors name the file and line. */
START_TEST(test_config_keys)
{
    BuildConfig c;
    Diag d;
    ck_assert_msg(config("clock_mhz: 200\ninput_type: fixed<16,6>\n", &c, &d), "%s", d.msg);
    ck_assert(c.input_type.bits == 16 && c.input_type.scale == ldexpf(1.0f, -10));
    config_free(&c);
    ck_assert_msg(config("input_scale: 0.0625\ninput_type: UINT8\n", &c, &d), "%s", d.msg);
    ck_assert(c.input_type.bits == 8 && !c.input_type.is_signed && c.input_type.scale == 0.0625f);
    config_free(&c);
    ck_assert(config("clock_mhz: 200\n", &c, &d));
    ck_assert_int_eq(c.input_type.bits, 0);   /* not set */
    config_free(&c);

    ck_assert(!config("clock_mhz: 200\ninput_type: fixed<8>\n", &c, &d));
    ck_assert_msg(strstr(d.msg, "c.yaml:2: input_type: 'fixed<8>' is not an input type"), "%s",
                  d.msg);
    ck_assert_int_eq(d.exit_code, EXIT_USAGE);
    config_free(&c);
    ck_assert(!config("input_scale: 0.5\n", &c, &d));
    ck_assert_msg(strstr(d.msg, "c.yaml:1: 'input_scale' needs 'input_type'"), "%s", d.msg);
    config_free(&c);
    ck_assert(!config("input_type: fixed<8,3>\ninput_scale: 0.5\n", &c, &d));
    ck_assert_msg(strstr(d.msg, "c.yaml:2: input_scale: 'fixed<8,3>'"), "%s", d.msg);
    ck_assert_msg(strstr(d.msg, "has its own scale"), "%s", d.msg);
    config_free(&c);
    ck_assert(!config("input_type: [INT8]\n", &c, &d));
    ck_assert_msg(strstr(d.msg, "c.yaml:1: 'input_type' must be a type"), "%s", d.msg);
    config_free(&c);
    ck_assert(!config("input_type: INT8\ninput_scale: -1\n", &c, &d));
    ck_assert_msg(strstr(d.msg, "c.yaml:2: 'input_scale' must be a number in"), "%s", d.msg);
    config_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("input_type");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_fixed);
    tcase_add_test(tc, test_int);
    tcase_add_test(tc, test_bad_types);
    tcase_add_test(tc, test_config_keys);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
