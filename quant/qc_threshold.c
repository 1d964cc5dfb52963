/* Multi-threshold counting; see qc_threshold.h. */
#include "qc_threshold.h"

int32_t qc_threshold_count_linear(int32_t x, const int32_t *thresholds, int n)
{
    int32_t count = 0;
    int i;

    for (i = 0; i < n; ++i)
        count += x >= thresholds[i];
    return count;
}

int32_t qc_threshold_count_bsearch(int32_t x, const int32_t *thresholds, int n)
{
    /* Invariant: thresholds[0..lo) are <= x, thresholds[hi..n) are > x. */
    int lo = 0, hi = n;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        if (thresholds[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t qc_threshold_count(int32_t x, const int32_t *thresholds, int n)
{
    /* For a handful of thresholds the branch-free scan beats the search. */
    if (n <= 4)
        return qc_threshold_count_linear(x, thresholds, n);
    return qc_threshold_count_bsearch(x, thresholds, n);
}
