/* See emit_rounding.h. */
#include "emit_rounding.h"

const char *emit_round_up_condition(QonnxRounding mode)
{
    switch (mode) {
    case QROUND_FLOOR: return "0";
    case QROUND_CEIL: return "rem != 0";
    case QROUND_DOWN: return "sum < 0 && rem != 0";
    case QROUND_UP: return "sum >= 0 && rem != 0";
    case QROUND_HALF_EVEN: return "2 * rem > D || (2 * rem == D && (fl & 1))";
    case QROUND_HALF_UP: return "2 * rem > D || (2 * rem == D && sum >= 0)";
    case QROUND_HALF_DOWN: return "2 * rem > D || (2 * rem == D && sum < 0)";
    }
    return "0";
}
