// Testbench of rtl/qnn_swg.v: FRAMES random NHWC images (fixed seed), the
// expected windows computed by a direct loop over (oh, ow, kh, kw, c) with
// PAD_VALUE outside the image, packed with qc_pack. Full speed, then idle
// cycles and back-pressure.
//
// Parameters: -DP_<name> with the module's -G parameters, plus FRAMES.
#include <cstdio>

#include "Vqnn_swg.h"
#include "axis_driver.h"
#include "tb_image.h"

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
        std::vector<int32_t> img =
            tb_random_image(rng, dt, IN_BITS, (size_t)IFM_H * IFM_W * CHANNELS);
        tb_image_beats(dt, img, CHANNELS, SIMD, in);
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
                            want.push_back(tb_pack_beat(dt, v.data(), SIMD));
                        }
    }

    int64_t cycles = -1;
    bool ok = axis_run_checked<Vqnn_swg>(sim, "qnn_swg", 13, in, want, SIMD * IN_BITS, &cycles);
    printf("%s qnn_swg frames=%d in_beats=%zu out_beats=%zu cycles=%lld\n", ok ? "PASS" : "FAIL",
           FRAMES, in.size(), want.size(), (long long)cycles);
    return ok ? 0 : 1;
}
