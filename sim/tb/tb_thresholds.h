// Threshold rows and their memory file for the testbenches of modules
// with a qnn_threshold stage (qnn_add, qnn_pool, qnn_vvau).
#ifndef QONNXC_SIM_TB_THRESHOLDS_H
#define QONNXC_SIM_TB_THRESHOLDS_H

#include <algorithm>
#include <random>
#include <vector>

#include "axis_driver.h"

extern "C" {
#include "qc_dtype.h"
#include "qc_pack.h"
}

// n ascending thresholds per channel (with some repeats), drawn from the
// range of the values the channel reaches widened by `margin` on both
// sides and clamped to tdt, so that every count occurs. values[v * channels
// + c] is vector v's value of channel c. Row c starts at c * n.
static inline std::vector<int32_t> tb_threshold_rows(std::mt19937 &rng,
                                                     const std::vector<int64_t> &values,
                                                     int channels, int n, qc_dtype tdt, int margin)
{
    std::vector<int32_t> T((size_t)channels * (size_t)n);
    for (int c = 0; c < channels; c++) {
        int64_t lo = values[(size_t)c], hi = lo;
        for (size_t i = (size_t)c; i < values.size(); i += (size_t)channels) {
            lo = std::min(lo, values[i]);
            hi = std::max(hi, values[i]);
        }
        lo = std::max(lo - margin, qc_dtype_min(tdt));
        hi = std::min(hi + margin, qc_dtype_max(tdt));
        int32_t *row = &T[(size_t)c * (size_t)n];
        for (int t = 0; t < n; t++)
            row[t] = t > 0 && rng() % 8 == 0 ? row[t - 1]
                                             : (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
        std::sort(row, row + n);
    }
    return T;
}

// Writes qnn_threshold's THRESH_FILE: channels/pe words, word f holding
// the rows of channels f*pe .. f*pe+pe-1, n thresholds each.
static inline bool tb_write_thresholds(const char *path, const std::vector<int32_t> &T, int channels,
                                       int pe, int n, qc_dtype tdt)
{
    std::vector<Beat> words;
    for (int f = 0; f < channels / pe; f++) {
        Beat word(qc_packed_bytes(tdt, (size_t)pe * (size_t)n));
        qc_pack(tdt, &T[(size_t)f * (size_t)pe * (size_t)n], (size_t)pe * (size_t)n, word.data());
        words.push_back(word);
    }
    return write_memh(path, words, pe * n * tdt.bits);
}

#endif
