// Testbench of rtl/qnn_swg.v: FRAMES random NHWC images (fixed seed), the
// expected windows computed by a direct loop over (oh, ow, kh, kw, c) with
// PAD_VALUE outside the image, packed with qc_pack. Full speed, then idle
// cycles and back-pressure.
//
// Parameters: -DP_<name> with the module's -G parameters, plus FRAMES.
#include <cstdio>

#include "Vqnn_swg.h"
#include "axis_driver.h"

extern "C" {
#include "qc_pack.h"
}

// from -DP_<name> (see above)
static const int CHANNELS = P_CHANNELS, SIMD = P_SIMD, IN_BITS = P_IN_BITS, IFM_H = P_IFM_H,
    IFM_W = P_IFM_W, K_H = P_K_H, K_W = P_K_W, STRIDE_H = P_STRIDE_H, STRIDE_W = P_STRIDE_W,
    PAD_TOP = P_PAD_TOP, PAD_LEFT = P_PAD_LEFT, PAD_BOTTOM = P_PAD_BOTTOM, PAD_RIGHT = P_PAD_RIGHT,
    PAD_VALUE = P_PAD_VALUE, FRAMES = P_FRAMES;

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_swg");
    const int CF = CHANNELS / SIMD;
    const int OH = (PAD_TOP + IFM_H + PAD_BOTTOM - K_H) / STRIDE_H + 1;
    const int OW = (PAD_LEFT + IFM_W + PAD_RIGHT - K_W) / STRIDE_W + 1;
    const qc_dtype dt = qc_dtype_int(IN_BITS);
    std::mt19937 rng(20240603);

    std::vector<Beat> in, want;
    for (int f = 0; f < FRAMES; f++) {
        std::vector<int32_t> img((size_t)IFM_H * IFM_W * CHANNELS);
        for (auto &v : img)
            v = (int32_t)(qc_dtype_min(dt) + (int64_t)(rng() % (1u << IN_BITS)));
        for (int px = 0; px < IFM_H * IFM_W; px++)
            for (int cf = 0; cf < CF; cf++) {
                Beat b(qc_packed_bytes(dt, SIMD));
                qc_pack(dt, &img[(size_t)px * CHANNELS + cf * SIMD], SIMD, b.data());
                in.push_back(b);
            }
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int kh = 0; kh < K_H; kh++)
                    for (int kw = 0; kw < K_W; kw++)
                        for (int cf = 0; cf < CF; cf++) {
                            int r = oh * STRIDE_H + kh - PAD_TOP, c = ow * STRIDE_W + kw - PAD_LEFT;
                            std::vector<int32_t> v(SIMD, PAD_VALUE);
                            if (r >= 0 && r < IFM_H && c >= 0 && c < IFM_W)
                                for (int s = 0; s < SIMD; s++)
                                    v[s] = img[((size_t)r * IFM_W + c) * CHANNELS + cf * SIMD + s];
                            Beat b(qc_packed_bytes(dt, SIMD));
                            qc_pack(dt, v.data(), SIMD, b.data());
                            want.push_back(b);
                        }
    }

    bool ok = true;
    int64_t cycles = -1;
    for (const AxisOptions &opt : axis_option_sets(13)) {
        Vqnn_swg top(sim.ctx.get());
        AxisResult r = axis_run(sim, top, in, want.size(), SIMD * IN_BITS, opt);
        ok = axis_check(opt.stall > 0 ? "qnn_swg (idle cycles, back-pressure)" : "qnn_swg", r, want) &&
             ok;
        if (opt.stall == 0 && opt.idle == 0)
            cycles = r.last_out - r.first_in + 1;
    }
    printf("%s qnn_swg frames=%d in_beats=%zu out_beats=%zu cycles=%lld\n", ok ? "PASS" : "FAIL",
           FRAMES, in.size(), want.size(), (long long)cycles);
    return ok ? 0 : 1;
}
