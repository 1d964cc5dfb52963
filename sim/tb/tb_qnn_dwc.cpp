// Testbench of rtl/qnn_dwc.v: a random bit stream (fixed seed) cut into
// IN_BITS beats must come out cut into OUT_BITS beats, LSB first; the
// beats are made with qc_pack / qc_unpack on UINT1 elements (one element
// per bit). Full speed, then idle cycles and back-pressure.
//
// Parameters: -DP_<name> with the module's -G parameters, plus P_BEATS
// (beats of the wider side).
#include <cstdio>

#include "Vqnn_dwc.h"
#include "axis_driver.h"

extern "C" {
#include "qc_pack.h"
}

// from -DP_<name> (see above)
static const int IN_BITS = P_IN_BITS, OUT_BITS = P_OUT_BITS, BEATS = P_BEATS;

// The bits [from, from + n) of the stream as one beat.
static Beat cut(const std::vector<int32_t> &bits, size_t from, int n)
{
    Beat b(qc_packed_bytes(qc_dtype_uint(1), (size_t)n));
    qc_pack(qc_dtype_uint(1), &bits[from], (size_t)n, b.data());
    return b;
}

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_dwc");
    std::mt19937 rng(20240606);
    const size_t total = (size_t)BEATS * (IN_BITS > OUT_BITS ? IN_BITS : OUT_BITS);
    std::vector<int32_t> bits(total);
    for (auto &b : bits)
        b = (int32_t)(rng() & 1);

    std::vector<Beat> in, want;
    for (size_t i = 0; i < total; i += IN_BITS)
        in.push_back(cut(bits, i, IN_BITS));
    for (size_t i = 0; i < total; i += OUT_BITS)
        want.push_back(cut(bits, i, OUT_BITS));

    int64_t cycles = -1;
    bool ok = axis_run_checked<Vqnn_dwc>(sim, "qnn_dwc", 23, in, want, OUT_BITS, &cycles);
    printf("%s qnn_dwc in_beats=%zu out_beats=%zu cycles=%lld\n", ok ? "PASS" : "FAIL", in.size(),
           want.size(), (long long)cycles);
    return ok ? 0 : 1;
}
