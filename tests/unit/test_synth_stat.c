/* The yosys stat reader (src/synth_stat.c) and the top-cell dump reader
 * (synth_instances_parse, src/synth_yosys.c) on real yosys 0.23 output:
 * tests/fixtures/synth/tfc_1w1a_top.{stat,cells}, written by
 *   qonnxc build tests/models/TFC_1W1A/model.onnx -c configs/TFC_1W1A.yaml --target rtl -o DIR
 *   qonnxc report DIR -m tests/models/TFC_1W1A/model.onnx -c configs/TFC_1W1A.yaml --synth
 * (DIR/rtl/synth/), not edited. The expected numbers are the fixture's own
 * lines, summed by hand. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run_cli.h"
#include "synth_stat.h"
#include "synth_yosys.h"

#define FIXTURE TESTS_DIR "/fixtures/synth/tfc_1w1a_top"
#define MVAU_L0 "$paramod$3c8fca057e9b6d1b0cdd6ccde4523ef029d25f12\\qnn_mvau"
#define FIFO_X3 "$paramod$cefe47bea3c635e57e0d51b63bdfe3322decc245\\qnn_fifo"

static void load_fixture(SynthStat *s)
{
    char *text = read_whole_file(FIXTURE ".stat", NULL);
    ck_assert_ptr_nonnull(text);
    Diag d;
    diag_init(&d);
    ck_assert_msg(synth_stat_parse(text, FIXTURE ".stat", s, &d), "%s", d.msg);
    free(text);
}

START_TEST(test_tfc_design)
{
    SynthStat s;
    load_fixture(&s);
    ck_assert_int_eq(s.n_modules, 11);
    ck_assert_str_eq(s.top, "tfc_1w1a_top");
    ck_assert(s.has_total);
    /* the whole design, through the hierarchy: "design hierarchy" says
     * FDRE 2795 + FDSE 18, LUT2..LUT6 987+399+802+217+2561, RAM32M 18 */
    SynthCount c;
    ck_assert(synth_module_count(&s, s.top, &c));
    ck_assert_int_eq(c.lut, 4966);
    ck_assert_int_eq(c.lutram, 18 * 4);
    ck_assert_int_eq(c.ff, 2813);
    ck_assert_int_eq(c.ramb18 + c.ramb36 + c.dsp, 0);
    SynthCount whole;
    synth_cells_count(&s.total, &whole);
    ck_assert(synth_count_equal(&c, &whole));
    /* the top itself holds only I/O buffers and instances */
    synth_cells_count(synth_stat_module(&s, s.top), &c);
    ck_assert_int_eq(c.lut + c.lutram + c.ff, 0);
    synth_stat_free(&s);
}
END_TEST

START_TEST(test_tfc_modules)
{
    SynthStat s;
    load_fixture(&s);
    /* the first MVAU alone: LUT2..6 486+177+499+87+2157, FDRE 1382, RAM32M 7 */
    const SynthModule *m = synth_stat_module(&s, MVAU_L0);
    ck_assert_ptr_nonnull(m);
    SynthCount own, all;
    synth_cells_count(m, &own);
    ck_assert_int_eq(own.lut, 3406);
    ck_assert_int_eq(own.ff, 1382);
    ck_assert_int_eq(own.lutram, 28);
    /* with its qnn_threshold: LUT2..6 19+20+44+27+32, FDRE 207 + FDSE 4 */
    ck_assert(synth_module_count(&s, MVAU_L0, &all));
    ck_assert_int_eq(all.lut, 3406 + 142);
    ck_assert_int_eq(all.ff, 1382 + 211);
    ck_assert_int_eq(all.lutram, 28);
    /* one FIFO module instantiated three times by the top */
    const SynthModule *top = synth_stat_module(&s, s.top);
    long long times = 0;
    for (int k = 0; k < top->n_cells; k++)
        if (!strcmp(top->cells[k].type, FIFO_X3))
            times = top->cells[k].count;
    ck_assert_int_eq(times, 3);
    ck_assert(synth_module_count(&s, FIFO_X3, &all));
    ck_assert_int_eq(all.lut, 33);
    ck_assert_int_eq(all.ff, 31);
    ck_assert_int_eq(all.lutram, 8);
    ck_assert_ptr_null(synth_stat_module(&s, "qnn_missing"));
    ck_assert(!synth_module_count(&s, "qnn_missing", &all));
    synth_stat_free(&s);
}
END_TEST

START_TEST(test_tfc_instances)
{
    char *text = read_whole_file(FIXTURE ".cells", NULL);
    ck_assert_ptr_nonnull(text);
    Diag d;
    diag_init(&d);
    SynthInstances ins;
    ck_assert_msg(synth_instances_parse(text, FIXTURE ".cells", &ins, &d), "%s", d.msg);
    free(text);
    ck_assert_str_eq(synth_instance_module(&ins, "l0_matmul_16"), MVAU_L0);
    ck_assert_str_eq(synth_instance_module(&ins, "l3_fifo_1"), FIFO_X3);
    ck_assert_str_eq(synth_instance_module(&ins, "l5_fifo_2"), FIFO_X3);
    ck_assert_str_eq(synth_instance_module(&ins, "l7_fifo_3"), FIFO_X3);
    ck_assert_str_eq(synth_instance_module(&ins, "l8_matmul_40"),
                     "$paramod$8756b8c53ec6df7233fb9aa5289463a1c0447b82\\qnn_mvau");
    ck_assert_str_eq(synth_instance_module(&ins, "$iopadmap$tfc_1w1a_top.clk"), "IBUF");
    ck_assert_ptr_null(synth_instance_module(&ins, "l9_missing"));
    synth_instances_free(&ins);
}
END_TEST

/* The resources each 7-series primitive counts as (a snippet in the
 * format of the fixture). */
START_TEST(test_primitive_kinds)
{
    const char *text = "=== top ===\n\n   Number of wires:      9\n   Number of cells:     12\n"
                       "     DSP48E1      2\n     FDCE     3\n     FDPE   1\n     LUT1  5\n"
                       "     LUT6_2   7\n     MUXF7   4\n     RAM128X1D  1\n     RAM64M  2\n"
                       "     RAMB18E1  3\n     RAMB36E1  2\n     SRLC32E  6\n     CARRY4  9\n\n";
    SynthStat s;
    Diag d;
    diag_init(&d);
    ck_assert_msg(synth_stat_parse(text, "snippet.stat", &s, &d), "%s", d.msg);
    ck_assert_str_eq(s.top, "top");
    ck_assert(!s.has_total);
    SynthCount c;
    ck_assert(synth_module_count(&s, "top", &c));
    ck_assert_int_eq(c.lut, 5 + 7); /* MUXF7, CARRY4: not counted */
    ck_assert_int_eq(c.ff, 4);
    ck_assert_int_eq(c.lutram, 4 + 2 * 4 + 6);
    ck_assert_int_eq(c.ramb18, 3);
    ck_assert_int_eq(c.ramb36, 2);
    ck_assert_int_eq(synth_bram18(&c), 7);
    ck_assert_int_eq(c.dsp, 2);
    synth_stat_free(&s);
}
END_TEST

START_TEST(test_not_a_report)
{
    SynthStat s;
    Diag d;
    diag_init(&d);
    ck_assert(!synth_stat_parse("ERROR: syntax error\n", "x/top.stat", &s, &d));
    ck_assert_int_eq(d.exit_code, EXIT_INTERNAL);
    ck_assert_msg(strstr(d.msg, "x/top.stat: not a yosys stat report"), "%s", d.msg);
    synth_stat_free(&s);
    /* two modules, neither instantiating the other: no top */
    diag_init(&d);
    ck_assert(!synth_stat_parse("=== a ===\n=== b ===\n", "ab.stat", &s, &d));
    ck_assert_msg(strstr(d.msg, "ab.stat: cannot tell the top module"), "%s", d.msg);
    synth_stat_free(&s);
    SynthInstances ins;
    diag_init(&d);
    ck_assert(!synth_instances_parse("module \\top\nend\n", "top.cells", &ins, &d));
    ck_assert_msg(strstr(d.msg, "top.cells: no cells"), "%s", d.msg);
    synth_instances_free(&ins);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("synth_stat");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_tfc_design);
    tcase_add_test(tc, test_tfc_modules);
    tcase_add_test(tc, test_tfc_instances);
    tcase_add_test(tc, test_primitive_kinds);
    tcase_add_test(tc, test_not_a_report);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
