/* Add-multiply-shift-clip requantization; see qc_bnorm_requant.h. */
#include "qc_bnorm_requant.h"

static uint64_t abs64(int64_t x)
{
    return x < 0 ? (uint64_t)(-(x + 1)) + 1u : (uint64_t)x;
}

int32_t qc_bnorm_requant(int32_t acc, int32_t bias, int32_t scale, unsigned shift,
                         qc_dtype out_dt)
{
    int64_t sum = (int64_t)acc + bias;           /* |sum| <= 2^32 */
    uint64_t mag = abs64(sum) * abs64(scale);    /* <= 2^63: exact in uint64_t */
    int neg = mag != 0 && (sum < 0) != (scale < 0);
    uint64_t q;                                  /* |floor(product / 2^shift)| */
    int64_t lo = qc_dtype_min(out_dt), hi = qc_dtype_max(out_dt);

    if (hi > INT32_MAX)
        hi = INT32_MAX;
    /* Clip while still sign + magnitude, so nothing above 2^63 is ever signed. */
    if (neg) {
        /* floor of a negative quotient is minus the ceiling of its magnitude */
        q = (mag + (((uint64_t)1 << shift) - 1u)) >> shift;
        if (lo >= 0 || q > abs64(lo))
            return (int32_t)lo;
        return (int32_t)(-(int64_t)q);
    }
    q = mag >> shift;
    return q > (uint64_t)hi ? (int32_t)hi : (int32_t)q;
}
