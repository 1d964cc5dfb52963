/* Exact thresholds (docs/integer-graph.md, "Exact thresholds").
 *
 * A MultiThreshold replaces an integer tensor's float ops and quantizer.
 * Its thresholds are not derived from a formula: for each channel the
 * golden executor's own op evals run on the float value each integer
 * stands for, fl32(scale[c] * (mul * x + add)), and threshold l is the
 * smallest x whose quantized level reaches l. The evals run on a synthetic
 * tensor that holds one channel's value per column and one integer per
 * row ([M, C] or [M, C, 1, 1]), so every per-channel constant broadcasts
 * as in the model and the float semantics are those of the golden ops by
 * construction.
 *
 * Ranges of up to enum_limit integers are enumerated; larger ones are
 * searched by bisection, and each threshold is then re-checked on both
 * sides. The response must be monotonic: a decreasing channel (a negative
 * BatchNorm gamma) is reversed by negating its weights, which the caller
 * does for the channels marked in `negated`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_quant.h"
#include "streamline_internal.h"

/* Elements evaluated at once: bounds the memory of one chunk. */
#define CHUNK_ELEMS ((int64_t)1 << 21)

bool sl_quant_levels(Streamline *S, const Node *q, int rank, int caxis, int64_t C,
                     QuantLevels *ql)
{
    const OpCtx *ctx = &S->ctx;
    memset(ql, 0, sizeof *ql);
    ql->node = q;
    for (int k = 1; k < q->n_inputs; k++)
        if (!q->inputs[k] || !q->inputs[k]->value)
            return sl_fail(S, q, "parameter %d is not a constant", k);
    const Value *scale = q->inputs[1]->value;
    char buf[96];
    if (!qonnx_check_scale(ctx, q, scale, "scale"))
        return false;
    if (!sl_per_channel_shape(&scale->shape, rank, caxis, C))
        return sl_fail(S, q, "scale of shape %s is not per tensor or per channel (axis %d)",
                       shape_str(&scale->shape, buf, sizeof buf), caxis);
    if (!strcmp(q->op_type, "BipolarQuant")) {
        ql->bipolar = true;
        ql->bits = 1;
        ql->L = 1;
        ql->out_scale = 2;
        ql->out_bias = -1;
        ql->dt = qc_dtype_bipolar();
    } else {
        bool is_signed, narrow;
        QonnxRounding r;
        if (!qonnx_flag_attr(ctx, q, "signed", true, &is_signed) ||
            !qonnx_flag_attr(ctx, q, "narrow", false, &narrow) ||
            !qonnx_rounding_attr(ctx, q, QROUND_HALF_EVEN, &r) ||
            !qonnx_bit_width(ctx, q, q->inputs[3]->value, "bit width", &ql->bits))
            return false;
        if (ql->bits > SL_MAX_BITS)
            return sl_fail(S, q, "activations of %d bits; 1 to %d are supported", ql->bits,
                           SL_MAX_BITS);
        const Value *zp = q->inputs[2]->value;
        double z0 = value_get(zp, 0);
        for (int64_t k = 0; k < zp->count; k++) {
            double z = value_get(zp, k);
            if (z != floor(z) || fabs(z) > 1e6)
                return sl_fail(S, q, "zero point %g is not an integer; the integer graph needs "
                               "integer zero points", z);
            if (z != z0)
                return sl_fail(S, q, "zero points differ between channels; one zero point per "
                               "tensor is supported");
        }
        int64_t z = (int64_t)z0, lo, hi;
        if (ql->bits == 1 && is_signed) {
            ql->bipolar = true;
            ql->L = 1;
            ql->out_scale = 2;
            ql->out_bias = -1 - z;
            ql->dt = z == 0 ? qc_dtype_bipolar() : sl_dtype_for_range(-1 - z, 1 - z);
        } else {
            qonnx_int_range(ql->bits, is_signed, narrow, &lo, &hi);
            ql->L = hi - lo;
            ql->out_scale = 1;
            ql->out_bias = lo - z;
            ql->dt = sl_dtype_for_range(lo - z, hi - z);
        }
    }
    ql->C = scale->count == 1 ? 1 : C;
    ql->scale = malloc((size_t)ql->C * sizeof *ql->scale);
    if (!ql->scale)
        return sl_fail(S, q, "out of memory");
    for (int64_t c = 0; c < ql->C; c++)
        ql->scale[c] = (float)sl_channel_value(scale, c);
    return true;
}

void sl_quant_levels_free(QuantLevels *ql)
{
    free(ql->scale);
    ql->scale = NULL;
}

void sl_threshold_job_free(ThresholdJob *job)
{
    free(job->T);
    free(job->negated);
    job->T = NULL;
    job->negated = NULL;
}

/* The level (q - zeropt) a quantizer output o stands for on channel c. */
static bool level_of(Streamline *S, const ThresholdJob *job, float o, int64_t c, int64_t acc,
                     int64_t *level)
{
    const QuantLevels *ql = job->levels;
    float s = ql->scale[ql->C == 1 ? 0 : c];
    double r = (double)o / (double)s;
    if (r == r && fabs(r) < 1e9) {
        int64_t l = (int64_t)llrint(r);
        int64_t count = (l - ql->out_bias) / ql->out_scale;
        if ((float)l * s == o && (l - ql->out_bias) % ql->out_scale == 0 && count >= 0 &&
            count <= ql->L) {
            *level = l;
            return true;
        }
    }
    return sl_fail(S, job->quant, "gives %g on channel %lld for accumulator %lld of '%s', "
                   "which is not one of its levels", (double)o, (long long)c, (long long)acc,
                   job->layer ? job->layer->name : "?");
}

bool sl_eval_levels(Streamline *S, const ThresholdJob *job, const int64_t *acc, int64_t M,
                    int64_t *levels)
{
    const int64_t C = job->C;
    if (job->caxis <= 0 || job->caxis >= job->rank)
        return sl_fail(S, job->quant, "the channel axis %d is not usable for thresholds",
                       job->caxis);
    Shape s = { job->rank, { 0 } };
    for (int d = 0; d < job->rank; d++)
        s.dims[d] = 1;
    s.dims[0] = M;
    s.dims[job->caxis] = C;
    Value *cur = value_new(ET_FLOAT, &s);
    if (!cur)
        return sl_fail(S, job->quant, "out of memory");
    for (int64_t m = 0; m < M; m++)
        for (int64_t c = 0; c < C; c++) {
            int64_t k = m * C + c;
            float v = (float)(job->scale[c] * (double)(job->mul * acc[k] + job->add));
            /* the golden sums give +0 for a zero sum, never -0 */
            cur->f[k] = v == 0.0f ? 0.0f : v;
        }
    for (int st = 0; st < job->chain->n; st++) {
        const ChainStep *step = &job->chain->step[st];
        const Value *in[8];
        for (int k = 0; k < step->n_in; k++)
            in[k] = step->in[k];
        in[step->data] = cur;
        Value *out[8] = { NULL };
        bool ok = step->node->op->eval(&S->ctx, step->node, in, out);
        value_free(cur);
        for (int k = 1; k < 8; k++)
            value_free(out[k]);
        if (!ok)
            return false;
        cur = out[0];
        if (!cur->f || cur->count != M * C) {
            value_free(cur);
            return sl_fail(S, step->node, "changed the shape or type of the data, which "
                           "thresholds cannot follow");
        }
    }
    bool ok = true;
    for (int64_t k = 0; ok && k < M * C; k++)
        ok = level_of(S, job, cur->f[k], k % C, acc[k], &levels[k]);
    value_free(cur);
    return ok;
}

static int64_t count_of(const ThresholdJob *job, int64_t level)
{
    return (level - job->levels->out_bias) / job->levels->out_scale;
}

/* Reverses channel c: the weights are negated, so the integer x' = -x
 * (XNOR: K - x) stands for the same float with the scale negated. */
static void reverse_channel(ThresholdJob *job, int64_t c)
{
    int64_t shift = -2 * job->add / job->mul;
    int64_t lo = job->lo[c], hi = job->hi[c];
    job->lo[c] = shift - hi;
    job->hi[c] = shift - lo;
    job->scale[c] = -job->scale[c];
    job->negated[c] = !job->negated[c];
}

typedef enum { DIR_FLAT, DIR_UP, DIR_DOWN, DIR_BOTH } Direction;

/* Every integer of the union of the channel ranges, in chunks: thresholds
 * for rising responses, and each channel's direction. */
static bool enumerate(Streamline *S, ThresholdJob *job, Direction *dir, int64_t *where)
{
    const int64_t C = job->C, L = job->levels->L;
    int64_t gmin = INT64_MAX, gmax = INT64_MIN;
    for (int64_t c = 0; c < C; c++) {
        gmin = job->lo[c] < gmin ? job->lo[c] : gmin;
        gmax = job->hi[c] > gmax ? job->hi[c] : gmax;
    }
    int64_t R = CHUNK_ELEMS / C > 0 ? CHUNK_ELEMS / C : 1;
    int64_t *acc = malloc((size_t)(R * C) * sizeof *acc);
    int64_t *lev = malloc((size_t)(R * C) * sizeof *lev);
    int64_t *prev = malloc((size_t)C * sizeof *prev);
    int64_t *reached = calloc((size_t)C, sizeof *reached);
    bool ok = acc && lev && prev && reached;
    if (!ok)
        sl_fail(S, job->quant, "out of memory");
    for (int64_t c = 0; ok && c < C; c++) {
        dir[c] = DIR_FLAT;
        where[c] = job->lo[c];
        for (int64_t l = 0; l < L; l++)
            job->T[c * L + l] = job->hi[c] + 1;
    }
    for (int64_t a0 = gmin; ok && a0 <= gmax; a0 += R) {
        int64_t M = gmax - a0 + 1 < R ? gmax - a0 + 1 : R;
        for (int64_t m = 0; m < M; m++)
            for (int64_t c = 0; c < C; c++)
                acc[m * C + c] = a0 + m;
        ok = sl_eval_levels(S, job, acc, M, lev);
        for (int64_t c = 0; ok && c < C; c++)
            for (int64_t m = 0; m < M; m++) {
                int64_t a = a0 + m;
                if (a < job->lo[c] || a > job->hi[c])
                    continue;
                int64_t cnt = count_of(job, lev[m * C + c]);
                if (a > job->lo[c] && cnt != prev[c]) {
                    Direction d = cnt > prev[c] ? DIR_UP : DIR_DOWN;
                    if (dir[c] == DIR_FLAT)
                        dir[c] = d;
                    else if (dir[c] != d && dir[c] != DIR_BOTH) {
                        dir[c] = DIR_BOTH;
                        where[c] = a;
                    }
                }
                prev[c] = cnt;
                while (reached[c] < cnt)
                    job->T[c * L + reached[c]++] = a;
            }
    }
    free(acc);
    free(lev);
    free(prev);
    free(reached);
    return ok;
}

/* Levels of channel ranges' ends, one row per end. */
static bool ends(Streamline *S, ThresholdJob *job, int64_t *cnt_lo, int64_t *cnt_hi)
{
    const int64_t C = job->C;
    int64_t *acc = malloc((size_t)(2 * C) * sizeof *acc);
    int64_t *lev = malloc((size_t)(2 * C) * sizeof *lev);
    bool ok = acc && lev;
    if (!ok)
        sl_fail(S, job->quant, "out of memory");
    for (int64_t c = 0; ok && c < C; c++) {
        acc[c] = job->lo[c];
        acc[C + c] = job->hi[c];
    }
    ok = ok && sl_eval_levels(S, job, acc, 2, lev);
    for (int64_t c = 0; ok && c < C; c++) {
        cnt_lo[c] = count_of(job, lev[c]);
        cnt_hi[c] = count_of(job, lev[C + c]);
    }
    free(acc);
    free(lev);
    return ok;
}

/* Bisection for each level of each channel, on rising responses, then a
 * check of both sides of every threshold. */
static bool bisect(Streamline *S, ThresholdJob *job, const int64_t *cnt_lo, const int64_t *cnt_hi)
{
    const int64_t C = job->C, L = job->levels->L;
    /* a[k] has count < l, b[k] count >= l, for k = (l - 1) * C + c */
    int64_t *a = malloc((size_t)(L * C) * sizeof *a);
    int64_t *b = malloc((size_t)(L * C) * sizeof *b);
    int64_t *mid = calloc((size_t)(2 * L * C), sizeof *mid);
    int64_t *lev = calloc((size_t)(2 * L * C), sizeof *lev);
    bool ok = a && b && mid && lev;
    if (!ok)
        sl_fail(S, job->quant, "out of memory");
    for (int64_t l = 1; ok && l <= L; l++)
        for (int64_t c = 0; c < C; c++) {
            int64_t k = (l - 1) * C + c;
            if (l <= cnt_lo[c])
                a[k] = b[k] = job->lo[c];
            else if (l > cnt_hi[c])
                a[k] = b[k] = job->hi[c] + 1;
            else {
                a[k] = job->lo[c];
                b[k] = job->hi[c];
            }
        }
    for (bool busy = ok; ok && busy;) {
        busy = false;
        for (int64_t k = 0; k < L * C; k++) {
            mid[k] = b[k] - a[k] > 1 ? a[k] + (b[k] - a[k]) / 2 : b[k];
            busy = busy || b[k] - a[k] > 1;
        }
        if (!busy)
            break;
        /* rows of C: row l - 1 holds level l's probes */
        for (int64_t k = 0; k < L * C; k++)
            if (mid[k] > job->hi[k % C])
                mid[k] = job->hi[k % C];
        ok = sl_eval_levels(S, job, mid, L, lev);
        for (int64_t k = 0; ok && k < L * C; k++) {
            if (b[k] - a[k] <= 1)
                continue;
            if (count_of(job, lev[k]) >= k / C + 1)
                b[k] = mid[k];
            else
                a[k] = mid[k];
        }
    }
    for (int64_t l = 1; ok && l <= L; l++)
        for (int64_t c = 0; c < C; c++)
            job->T[c * L + l - 1] = b[(l - 1) * C + c];
    /* re-check: count(T - 1) < l <= count(T) wherever T is inside the range */
    for (int64_t k = 0; ok && k < L * C; k++) {
        int64_t c = k % C, t = b[k];
        mid[k] = t > job->lo[c] && t <= job->hi[c] ? t - 1 : job->lo[c];
        mid[L * C + k] = t <= job->hi[c] ? t : job->hi[c];
    }
    ok = ok && sl_eval_levels(S, job, mid, 2 * L, lev);
    for (int64_t k = 0; ok && k < L * C; k++) {
        int64_t c = k % C, l = k / C + 1, t = b[k];
        bool inside = t > job->lo[c] && t <= job->hi[c];
        if (inside && !(count_of(job, lev[k]) < l && count_of(job, lev[L * C + k]) >= l))
            ok = sl_fail(S, job->quant, "the float ops from '%s' to this quantizer are not "
                         "monotonic in the accumulator on channel %lld (around %lld)",
                         job->layer ? job->layer->name : "?", (long long)c, (long long)t);
        if (ok && l > 1 && t < job->T[c * L + l - 2])
            ok = sl_fail(S, job->quant, "the float ops from '%s' to this quantizer are not "
                         "monotonic in the accumulator on channel %lld",
                         job->layer ? job->layer->name : "?", (long long)c);
    }
    free(a);
    free(b);
    free(mid);
    free(lev);
    return ok;
}

bool sl_thresholds(Streamline *S, ThresholdJob *job)
{
    const int64_t C = job->C, L = job->levels->L;
    job->T = malloc((size_t)(C * L > 0 ? C * L : 1) * sizeof *job->T);
    job->negated = calloc((size_t)C, sizeof *job->negated);
    Direction *dir = malloc((size_t)C * sizeof *dir);
    int64_t *where = malloc((size_t)C * sizeof *where);
    int64_t *cnt_lo = malloc((size_t)C * sizeof *cnt_lo);
    int64_t *cnt_hi = malloc((size_t)C * sizeof *cnt_hi);
    bool ok = job->T && job->negated && dir && where && cnt_lo && cnt_hi;
    if (!ok)
        sl_fail(S, job->quant, "out of memory");
    int64_t gmin = INT64_MAX, gmax = INT64_MIN;
    for (int64_t c = 0; c < C; c++) {
        gmin = job->lo[c] < gmin ? job->lo[c] : gmin;
        gmax = job->hi[c] > gmax ? job->hi[c] : gmax;
    }
    bool small = gmax - gmin < job->enum_limit;
    for (int round = 0; ok && round < 2; round++) {
        bool again = false;
        if (small) {
            ok = enumerate(S, job, dir, where);
        } else {
            ok = ends(S, job, cnt_lo, cnt_hi);
            for (int64_t c = 0; ok && c < C; c++)
                dir[c] = cnt_lo[c] > cnt_hi[c] ? DIR_DOWN : DIR_UP;
        }
        for (int64_t c = 0; ok && c < C; c++) {
            if (dir[c] == DIR_BOTH)
                ok = sl_fail(S, job->quant, "the float ops from '%s' to this quantizer are not "
                             "monotonic in the accumulator on channel %lld (the level turns "
                             "at accumulator %lld)", job->layer ? job->layer->name : "?",
                             (long long)c, (long long)where[c]);
            else if (dir[c] == DIR_DOWN && round == 1)
                ok = sl_fail(S, job->quant, "channel %lld still decreases after its weights "
                             "were negated (a qonnxc bug)", (long long)c);
            else if (dir[c] == DIR_DOWN && !job->can_negate)
                ok = sl_fail(S, job->quant, "the float ops from '%s' to this quantizer decrease "
                             "with its values on channel %lld, and '%s' has no weights to "
                             "negate", job->layer ? job->layer->name : "?", (long long)c,
                             job->layer ? job->layer->name : "?");
            else if (dir[c] == DIR_DOWN) {
                reverse_channel(job, c);
                again = true;
            }
        }
        if (ok && !small && !again)
            ok = bisect(S, job, cnt_lo, cnt_hi);
        if (!again)
            break;
    }
    free(dir);
    free(where);
    free(cnt_lo);
    free(cnt_hi);
    if (!ok)
        sl_threshold_job_free(job);
    return ok;
}
