/* The ice40 target's device model (rtl/ice40_device.h): the PLL settings
 * icepll prints for the 12 MHz oscillator, the EBR shapes, and the fit
 * message naming the resource over and by how much. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ice40_device.h"

/* `icepll -i 12 -o 24` and `-o 30` (fpga-icestorm): DIVR 0, DIVF 63 / 79,
 * DIVQ 5, FILTER_RANGE 1; `-o 48`: DIVF 63, DIVQ 4. */
START_TEST(pll_as_icepll)
{
    static const struct {
        double mhz;
        int divr, divf, divq, filter;
        double out;
    } cases[] = {
        { 24, 0, 63, 5, 1, 24.0 }, { 30, 0, 79, 5, 1, 30.0 }, { 48, 0, 63, 4, 1, 48.0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Ice40Pll p;
        ck_assert(ice40_pll(cases[k].mhz, &p));
        ck_assert_int_eq(p.divr, cases[k].divr);
        ck_assert_int_eq(p.divf, cases[k].divf);
        ck_assert_int_eq(p.divq, cases[k].divq);
        ck_assert_int_eq(p.filter_range, cases[k].filter);
        ck_assert(p.out_mhz == cases[k].out);
    }
    Ice40Pll p;
    ck_assert(!ice40_pll(5.0, &p));     /* below the PLL's 16 MHz */
    ck_assert(!ice40_pll(400.0, &p));   /* above its 275 MHz */
}
END_TEST

START_TEST(ebr_shapes)
{
    ck_assert_int_eq(ice40_ebr_for(256, 16), 1);
    ck_assert_int_eq(ice40_ebr_for(2048, 2), 1);
    ck_assert_int_eq(ice40_ebr_for(6272, 16), 25);  /* 512x8: 13 * 2 = 26; 256x16: 25 */
    ck_assert_int_eq(ice40_ebr_for(16, 600), 38);   /* wide and shallow: 38 blocks of 16 bits */
    ck_assert_int_eq(ice40_ebr_for(1, 1), 1);
}
END_TEST

START_TEST(fit_names_what_is_over)
{
    const Ice40Device *up5k = ice40_device(NULL), *hx8k = ice40_device("hx8k");
    ck_assert_str_eq(up5k->name, "up5k");
    ck_assert_int_eq(up5k->lut4, 5280);
    ck_assert_int_eq(up5k->ebr, 30);
    ck_assert_int_eq(hx8k->lut4, 7680);
    ck_assert_ptr_null(ice40_device("lx9"));
    char why[256];
    Ice40Estimate fits = { 5280, 30, 0, 0 }, over = { 6000, 45, 0, 0 };
    ck_assert(ice40_fits(&fits, up5k, why, sizeof why));
    ck_assert_str_eq(why, "");
    ck_assert(!ice40_fits(&over, up5k, why, sizeof why));
    ck_assert_str_eq(why, "LUT4: 6000 of 5280 logic cells, 720 over (114 %); "
                          "EBR: 45 of 30 block RAMs of 4 kbit, 15 over (150 %)");
    Ice40Estimate spram = { 10, 1, 1, 0 };
    ck_assert(!ice40_fits(&spram, hx8k, why, sizeof why));
    ck_assert_str_eq(why, "SPRAM: 1 of 0 blocks of 256 kbit (the device has none)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ice40_device");
    TCase *tc = tcase_create("device");
    tcase_add_test(tc, pll_as_icepll);
    tcase_add_test(tc, ebr_shapes);
    tcase_add_test(tc, fit_names_what_is_over);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
