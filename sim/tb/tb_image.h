// NHWC test images for the sliding-window testbenches (tb_qnn_swg.cpp,
// tb_qnn_maxpool.cpp): random elements of a datatype, streamed one pixel
// after the other, each pixel's channels `fold` elements a beat.
#ifndef QONNXC_SIM_TB_IMAGE_H
#define QONNXC_SIM_TB_IMAGE_H

#include <random>
#include <vector>

#include "axis_driver.h"

extern "C" {
#include "qc_pack.h"
}

// n elements of dt (bits wide), each uniform over its range.
static inline std::vector<int32_t> tb_random_image(std::mt19937 &rng, qc_dtype dt, int bits,
                                                   size_t n)
{
    std::vector<int32_t> img(n);
    for (auto &v : img)
        v = (int32_t)(qc_dtype_min(dt) + (int64_t)(rng() % (1u << bits)));
    return img;
}

// n elements of dt packed into one beat.
static inline Beat tb_pack_beat(qc_dtype dt, const int32_t *v, int n)
{
    Beat b(qc_packed_bytes(dt, n));
    qc_pack(dt, v, n, b.data());
    return b;
}

// Appends the image's input beats to in: every pixel of `channels`
// elements in turn, fold elements a beat.
static inline void tb_image_beats(qc_dtype dt, const std::vector<int32_t> &img, int channels,
                                  int fold, std::vector<Beat> &in)
{
    for (size_t px = 0; px < img.size() / (size_t)channels; px++)
        for (int cf = 0; cf < channels / fold; cf++)
            in.push_back(tb_pack_beat(dt, &img[px * (size_t)channels + (size_t)cf * fold], fold));
}

#endif
