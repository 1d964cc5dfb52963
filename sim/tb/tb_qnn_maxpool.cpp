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
#include "tb_image.h"

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
        std::vector<int32_t> img =
            tb_random_image(rng, dt, IN_BITS, (size_t)IFM_H * IFM_W * CHANNELS);
        tb_image_beats(dt, img, CHANNELS, PE, in);
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
                    want.push_back(tb_pack_beat(dt, m.data(), PE));
                }
    }

    int64_t cycles = -1;
    bool ok = axis_run_checked<Vqnn_maxpool>(sim, "qnn_maxpool", 17, in, want, PE * IN_BITS, &cycles);
    printf("%s qnn_maxpool frames=%d in_beats=%zu out_beats=%zu cycles=%lld\n", ok ? "PASS" : "FAIL",
           FRAMES, in.size(), want.size(), (long long)cycles);
    return ok ? 0 : 1;
}
