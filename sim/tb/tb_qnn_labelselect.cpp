// Testbench of rtl/qnn_labelselect.v: FRAMES frames of N random values
// from a narrow range (so ties are common; fixed seed), packed with
// qc_pack; the expected indices are the first K of a stable sort by value,
// largest first (ties to the lower index). Full speed, then idle cycles
// and back-pressure.
//
// Parameters: -DP_<name> with the module's -G parameters, plus FRAMES.
#include <algorithm>
#include <cstdio>

#include "Vqnn_labelselect.h"
#include "axis_driver.h"

extern "C" {
#include "qc_pack.h"
}

// from -DP_<name> (see above)
static const int N = P_N, PE = P_PE, IN_BITS = P_IN_BITS, SIGNED = P_SIGNED, K = P_K,
    OUT_BITS = P_OUT_BITS, FRAMES = P_FRAMES;

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_labelselect");
    const qc_dtype dt = SIGNED ? qc_dtype_int(IN_BITS) : qc_dtype_uint(IN_BITS);
    const qc_dtype idt = qc_dtype_uint(OUT_BITS);
    std::mt19937 rng(20240605);

    std::vector<Beat> in, want;
    for (int f = 0; f < FRAMES; f++) {
        // odd frames: the whole range; even frames: 5 values, many ties
        int64_t lo = qc_dtype_min(dt), span = qc_dtype_max(dt) - lo + 1;
        if (f % 2 == 0 && span > 5) {
            lo = SIGNED ? -2 : 0;
            span = 5;
        }
        std::vector<int32_t> v(N);
        for (auto &x : v)
            x = (int32_t)(lo + (int64_t)(rng() % (uint64_t)span));
        for (int b = 0; b < N / PE; b++) {
            Beat beat(qc_packed_bytes(dt, PE));
            qc_pack(dt, &v[(size_t)b * PE], PE, beat.data());
            in.push_back(beat);
        }
        std::vector<int32_t> order(N);
        for (int i = 0; i < N; i++)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return v[a] > v[b]; });
        for (int k = 0; k < K; k++) {
            Beat beat(qc_packed_bytes(idt, 1));
            qc_pack(idt, &order[k], 1, beat.data());
            want.push_back(beat);
        }
    }

    int64_t cycles = -1;
    bool ok = axis_run_checked<Vqnn_labelselect>(sim, "qnn_labelselect", 19, in, want, OUT_BITS, &cycles);
    printf("%s qnn_labelselect frames=%d cycles=%lld\n", ok ? "PASS" : "FAIL", FRAMES,
           (long long)cycles);
    return ok ? 0 : 1;
}
