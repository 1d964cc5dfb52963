/* The host side of a dataflow accelerator (the hls and rtl targets): the
 * integer frames the host keeps around the accelerator, and where each
 * stream element lives in them.
 *
 * The ref target's plan of the integer graph provides the boundary nodes
 * (InputQuant, OutputAffine); the host replaces their tensors by int32
 * frames stored as the ref target stores them (images channels innermost,
 * row-major otherwise). The accelerator's first stream carries x, its last
 * y (or, when it ends in a LabelSelect, the labels), in the dataflow
 * graph's element orders. */
#ifndef QONNXC_EMIT_HOST_IO_H
#define QONNXC_EMIT_HOST_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "dataflow.h"
#include "ref_plan.h"

typedef struct HostIo {
    RefTensor x, y;          /* InputQuant's output; OutputAffine's input (or the labels) */
    int64_t *in_map;         /* input stream element s is x[in_map[s]] */
    int64_t *out_map;        /* output stream element s is y[out_map[s]] */
    bool in_identity;        /* in_map[s] == s for every s */
    bool out_identity;
    bool labels;             /* the accelerator writes class indices (LabelSelect) */
    Tensor labels_tensor;    /* [1, k]: what the host gives out then */
} HostIo;

/* Fills io for the accelerator df whose first stream is `first` and last
 * `last`; errors start with "<target> target:". Free with host_io_free. */
bool host_io_plan(const Dataflow *df, const RefPlan *rp, const Stream *first, const Stream *last,
                  const char *target, HostIo *io, Diag *d);
void host_io_free(HostIo *io);

/* A map as a commented static const int32_t array of n entries. */
void host_emit_map(TextBuf *b, const char *name, const int64_t *map, int64_t n, const char *what);

#endif
