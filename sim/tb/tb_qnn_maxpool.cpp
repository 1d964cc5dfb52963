// Testbench of rtl/qnn_maxpool.v: FRAMES random NHWC images (fixed seed,
// signed or unsigned elements), the expected pooled images computed by a
// direct loop over each window's image pixels (padding never wins),
// packed with qc_pack. Full speed, then idle cycles and back-pressure.
//
// Parameters: -DP_<name> with the module's -G parameters, plus FRAMES.
#include <algorithm>
#include <cstdio>

#include "Vqnn_maxpool.h"
#include "axis_driver.h"

extern "C" {
#include "qc_pack.h"
}

// from -DP_<name> (see above)
static const int CHANNELS = P_CHANNELS, PE = P_PE, IN_BITS = P_IN_BITS, SIGNED = P_SIGNED,
    IFM_H = P_IFM_H, IFM_W = P_IFM_W, K_H = P_K_H, K_W = P_K_W, PAD_TOP = P_PAD_TOP,
    PAD_LEFT = P_PAD_LEFT, OFM_H = P_OFM_H, OFM_W = P_OFM_W, FRAMES = P_FRAMES;

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_maxpool");
    const int CF = CHANNELS / PE;
    const qc_dtype dt = SIGNED ? qc_dtype_int(IN_BITS) : qc_dtype_uint(IN_BITS);
    std::mt19937 rng(20240604);

    std::vector<Beat> in, want;
    for (int f = 0; f < FRAMES; f++) {
        std::vector<int32_t> img((size_t)IFM_H * IFM_W * CHANNELS);
        for (auto &v : img)
            v = (int32_t)(qc_dtype_min(dt) + (int64_t)(rng() % (1u << IN_BITS)));
        for (int px = 0; px < IFM_H * IFM_W; px++)
            for (int cf = 0; cf < CF; cf++) {
                Beat b(qc_packed_bytes(dt, PE));
                qc_pack(dt, &img[(size_t)px * CHANNELS + cf * PE], PE, b.data());
                in.push_back(b);
            }
        for (int oh = 0; oh < OFM_H; oh++)
            for (int ow = 0; ow < OFM_W; ow++)
                for (int cf = 0; cf < CF; cf++) {
                    std::vector<int32_t> m(PE, INT32_MIN);
                    for (int kh = 0; kh < K_H; kh++)
                        for (int kw = 0; kw < K_W; kw++) {
                            int r = oh * K_H + kh - PAD_TOP, c = ow * K_W + kw - PAD_LEFT;
                            if (r < 0 || r >= IFM_H || c < 0 || c >= IFM_W)
                                continue;
                            for (int p = 0; p < PE; p++)
                                m[p] = std::max(m[p], img[((size_t)r * IFM_W + c) * CHANNELS + cf * PE + p]);
                        }
                    Beat b(qc_packed_bytes(dt, PE));
                    qc_pack(dt, m.data(), PE, b.data());
                    want.push_back(b);
                }
    }

    bool ok = true;
    int64_t cycles = -1;
    for (const AxisOptions &opt : axis_option_sets(17)) {
        Vqnn_maxpool top(sim.ctx.get());
        AxisResult r = axis_run(sim, top, in, want.size(), PE * IN_BITS, opt);
        ok = axis_check(opt.stall > 0 ? "qnn_maxpool (idle cycles, back-pressure)" : "qnn_maxpool",
                        r, want) && ok;
        if (opt.stall == 0 && opt.idle == 0)
            cycles = r.last_out - r.first_in + 1;
    }
    printf("%s qnn_maxpool frames=%d in_beats=%zu out_beats=%zu cycles=%lld\n", ok ? "PASS" : "FAIL",
           FRAMES, in.size(), want.size(), (long long)cycles);
    return ok ? 0 : 1;
}
