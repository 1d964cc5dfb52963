/* Gemm: Y = alpha * A' B' + beta * C, A' = transA ? A^T : A (M x K),
 * B' = transB ? B^T : B (K x N), C optional and broadcast to M x N
 * (unidirectionally: each of its dims is 1 or the output's).
 *
 * Float tensors: each sum over k runs in natural order in float32 (or as
 * the executor asks, op_golden_sum), then alpha and beta C are applied.
 * Integral tensors: the sum is wrapping int64; alpha and beta other than 1
 * are applied in double and truncated. */
#include <stdlib.h>

#include "op_math.h"

typedef struct GemmAttrs {
    float alpha, beta;
    bool trans_a, trans_b;
} GemmAttrs;

static bool gemm_attrs(const OpCtx *ctx, const Node *n, GemmAttrs *ga)
{
    static const char *const floats[] = { "alpha", "beta" }, *const ints[] = { "transA", "transB" };
    for (int k = 0; k < 2; k++) {
        const Attr *a = node_attr(n, floats[k]);
        if (a && a->kind != ATTR_FLOAT)
            return op_error(ctx, n, "attribute '%s' must be a float", floats[k]);
        a = node_attr(n, ints[k]);
        if (a && (a->kind != ATTR_INT || (a->i != 0 && a->i != 1)))
            return op_error(ctx, n, "attribute '%s' must be 0 or 1", ints[k]);
    }
    const Attr *bc = node_attr(n, "broadcast");
    if (bc && bc->kind != ATTR_INT)
        return op_error(ctx, n, "attribute 'broadcast' must be an int");
    ga->alpha = node_attr_float(n, "alpha", 1.0f);
    ga->beta = node_attr_float(n, "beta", 1.0f);
    ga->trans_a = node_attr_int(n, "transA", 0) != 0;
    ga->trans_b = node_attr_int(n, "transB", 0) != 0;
    return true;
}

static bool gemm_check(const OpCtx *ctx, const Node *n)
{
    GemmAttrs ga;
    return gemm_attrs(ctx, n, &ga);
}

/* M, K, N from the shapes of A and B (entries -1 when unknown), and a check
 * that C broadcasts to M x N. */
static bool gemm_dims(const OpCtx *ctx, const Node *n, const GemmAttrs *ga, const Shape *a,
                      const Shape *b, const Shape *c, int64_t *m, int64_t *k, int64_t *nn)
{
    /* outputs written on every path: GCC -O2 cannot see that op_error returns false */
    *m = *k = *nn = -1;
    if (a->rank != 2 || b->rank != 2)
        return op_error(ctx, n, "A and B must be matrices (rank 2), not of rank %d and %d",
                        a->rank, b->rank);
    *m = a->dims[ga->trans_a ? 1 : 0];
    *k = a->dims[ga->trans_a ? 0 : 1];
    int64_t kb = b->dims[ga->trans_b ? 1 : 0];
    *nn = b->dims[ga->trans_b ? 0 : 1];
    if (*k >= 0 && kb >= 0 && *k != kb)
        return op_error(ctx, n, "inner dims differ: A' has %lld columns, B' has %lld rows",
                        (long long)*k, (long long)kb);
    if (*k < 0)
        *k = kb;
    if (c && c->rank >= 0) {
        if (c->rank > 2)
            return op_error(ctx, n, "C has rank %d; at most 2 is allowed", c->rank);
        int64_t want[2] = { *m, *nn };
        for (int d = 0; d < c->rank; d++) {
            int64_t cd = c->dims[d], od = want[2 - c->rank + d];
            if (cd >= 0 && cd != 1 && od >= 0 && cd != od) {
                char s[96];
                return op_error(ctx, n, "C of shape %s does not broadcast to [%lld, %lld]",
                                shape_str(c, s, sizeof s), (long long)*m, (long long)*nn);
            }
        }
    }
    return true;
}

/* A, B and C (when given) must be of one type, as ONNX requires; `out` is
 * the known one (ET_UNDEFINED if none is). */
static bool gemm_type(const OpCtx *ctx, const Node *n, const int types[3], int *out)
{
    *out = ET_UNDEFINED;
    for (int k = 0; k < 3; k++) {
        if (types[k] == ET_UNDEFINED)
            continue;
        if (*out != ET_UNDEFINED && types[k] != *out)
            return op_error(ctx, n, "inputs are %s and %s; they must be of one type",
                            elem_type_name(*out), elem_type_name(types[k]));
        *out = types[k];
    }
    return true;
}

static const Tensor *gemm_c_tensor(const Node *n)
{
    return n->n_inputs > 2 ? n->inputs[2] : NULL;
}

static bool gemm_infer(const OpCtx *ctx, Node *n)
{
    GemmAttrs ga;
    const Tensor *a = n->inputs[0], *b = n->inputs[1], *c = gemm_c_tensor(n);
    int et, types[3] = { a->elem_type, b->elem_type, c ? c->elem_type : ET_UNDEFINED };
    if (!gemm_attrs(ctx, n, &ga) || !gemm_type(ctx, n, types, &et))
        return false;
    Shape out = { -1, { 0 } };
    if (a->shape.rank >= 0 && b->shape.rank >= 0) {
        int64_t m, k, nn;
        if (!gemm_dims(ctx, n, &ga, &a->shape, &b->shape, c ? &c->shape : NULL, &m, &k, &nn))
            return false;
        out.rank = 2;
        out.dims[0] = m;
        out.dims[1] = nn;
    } else {
        out.rank = 2;
        out.dims[0] = out.dims[1] = -1;
    }
    op_set_output(n, 0, et, &out);
    return true;
}

static bool gemm_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    GemmAttrs ga;
    if (!math_need_input(ctx, n, in, 0) || !math_need_input(ctx, n, in, 1) ||
        !gemm_attrs(ctx, n, &ga))
        return false;
    const Value *a = in[0], *b = in[1], *c = n->n_inputs > 2 ? in[2] : NULL;
    bool is_float = a->f != NULL;
    int et, types[3] = { a->elem_type, b->elem_type, c ? c->elem_type : ET_UNDEFINED };
    if (!gemm_type(ctx, n, types, &et))
        return false;
    int64_t m, k, nn;
    if (!gemm_dims(ctx, n, &ga, &a->shape, &b->shape, c ? &c->shape : NULL, &m, &k, &nn))
        return false;
    Shape s = { 2, { m, nn } };
    Value *y = op_new_value(ctx, n, et, &s);
    if (!y)
        return false;
    /* B' as a K x N row-major matrix, so the innermost loop walks rows. */
    int64_t bsz = k * nn;
    const float *bf = b->f;
    const int64_t *bi = b->i;
    void *bt = NULL;
    if (ga.trans_b && bsz > 0) {
        bt = malloc((size_t)bsz * (is_float ? sizeof(float) : sizeof(int64_t)));
        if (!bt) {
            value_free(y);
            return op_error(ctx, n, "out of memory");
        }
        for (int64_t p = 0; p < k; p++)
            for (int64_t j = 0; j < nn; j++) {
                if (is_float)
                    ((float *)bt)[p * nn + j] = b->f[j * k + p];
                else
                    ((int64_t *)bt)[p * nn + j] = b->i[j * k + p];
            }
        bf = bt;
        bi = bt;
    }
    /* A'[i][p] sits at a + i * as_i + p * as_p. */
    int64_t as_i = ga.trans_a ? 1 : k, as_p = ga.trans_a ? m : 1;
    /* C[i][j] sits at c + i * cs_i + j * cs_j (0 on broadcast dims). */
    int64_t cs_i = 0, cs_j = 0;
    if (c && c->shape.rank == 2) {
        cs_i = c->shape.dims[0] == 1 ? 0 : c->shape.dims[1];
        cs_j = c->shape.dims[1] == 1 ? 0 : 1;
    } else if (c && c->shape.rank == 1) {
        cs_j = c->shape.dims[0] == 1 ? 0 : 1;
    }
    bool unit = ga.alpha == 1.0f && ga.beta == 1.0f;
    GoldenSum sum = op_golden_sum(ctx);
    for (int64_t i = 0; i < m; i++) {
        if (is_float) {
            float *yi = y->f + i * nn;
            for (int64_t j = 0; sum != GOLDEN_SUM_FLOAT32 && j < nn; j++)
                yi[j] = math_dot_as(sum, a->f + i * as_i, as_p, bf + j, nn, k);
            for (int64_t p = 0; sum == GOLDEN_SUM_FLOAT32 && p < k; p++) {
                float aip = a->f[i * as_i + p * as_p];
                const float *bp = bf + p * nn;
                for (int64_t j = 0; j < nn; j++)
                    yi[j] += aip * bp[j];
            }
            if (ga.alpha != 1.0f)
                for (int64_t j = 0; j < nn; j++)
                    yi[j] *= ga.alpha;
            if (c)
                for (int64_t j = 0; j < nn; j++)
                    yi[j] += ga.beta * c->f[i * cs_i + j * cs_j];
        } else {
            int64_t *yi = y->i + i * nn;
            for (int64_t p = 0; p < k; p++) {
                uint64_t aip = (uint64_t)a->i[i * as_i + p * as_p];
                const int64_t *bp = bi + p * nn;
                for (int64_t j = 0; j < nn; j++)
                    yi[j] = (int64_t)((uint64_t)yi[j] + aip * (uint64_t)bp[j]);
            }
            for (int64_t j = 0; j < nn; j++) {
                int64_t cij = c ? c->i[i * cs_i + j * cs_j] : 0;
                int64_t v = unit ? (int64_t)((uint64_t)yi[j] + (uint64_t)cij)
                                 : math_int_from_double((double)ga.alpha * (double)yi[j] +
                                                        (double)ga.beta * (double)cij);
                yi[j] = math_wrap_int(y->elem_type, v);
            }
        }
    }
    free(bt);
    out[0] = y;
    return true;
}

const OpDef op_gemm = { OP_GEMM, "Gemm", DOMAIN_ONNX, 2, 3, 1, 1, gemm_check, gemm_infer, gemm_eval };
