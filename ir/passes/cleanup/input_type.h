/* The fixed-point type a user gives an unquantized float graph input
 * (`--input-type`, config key `input_type`; docs/cli.md), and the front-end
 * pass that puts it on the graph as a QONNX Quant node.
 *
 * Text forms (ap_fixed semantics for the first two, as hls4ml writes them):
 *   fixed<W,I>    signed, W bits in all, I of them integer bits (sign
 *                 included): scale 2^-(W-I); fixed<16,6> steps by 2^-10
 *   ufixed<W,I>   the same, unsigned
 *   INTn[@S]      signed n-bit integers times scale S (default 1)
 *   UINTn[@S]     unsigned n-bit integers times scale S (default 1)
 * ap_fixed<W,I> and ap_ufixed<W,I> are accepted too; names are not case
 * sensitive. W and n: 2..32 signed, 1..32 unsigned (a 1-bit signed Quant
 * would mean bipolar, not ap_fixed<1,1>).
 *
 * The inserted Quant rounds half to even and saturates (QONNX's ROUND,
 * narrow=0, zero point 0): ap_fixed<W,I,AP_RND_CONV,AP_SAT>, not
 * ap_fixed's default truncation and wrap-around. */
#ifndef QONNXC_INPUT_TYPE_H
#define QONNXC_INPUT_TYPE_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.h"

#define INPUT_TYPE_MAX_BITS 32

typedef struct InputType {
    int bits;             /* 0: no type given */
    bool is_signed;
    bool fixed;           /* fixed<W,I> / ufixed<W,I>: the scale is part of the type */
    float scale;          /* > 0, finite, as the Quant node stores it */
    char text[64];        /* as the user wrote it, for messages */
} InputType;

/* Parses one of the text forms above into t. false with a message in err
 * ("'fixed<8>' is not an input type: ...") on anything else. */
bool input_type_parse(const char *text, InputType *t, char *err, size_t err_size);

/* Sets the scale of an INTn / UINTn type (the config's input_scale); false
 * with a message when the type has its own scale or the value is not a
 * positive finite float32. */
bool input_type_set_scale(InputType *t, double scale, char *err, size_t err_size);

/* Whether graph input x reaches a quantizer (Quant, IntQuant, BipolarQuant)
 * on every path, through at most 16 elementwise ops with a constant
 * operand and layout ops, or carries an integer datatype annotation. The
 * integer graph and every target need one or the other. */
bool graph_input_is_quantized(const Graph *g, const Tensor *x);

/* The front-end pass: a Quant node of type t on every float graph input
 * that is not quantized (graph_input_is_quantized); its consumers read the
 * Quant's output instead. Run it on a cleaned-up graph (the consumers are
 * then the real ones), and clean up again after it (frontend.c does both).
 * An input that is already quantized is an error (exit code 2): the type
 * would quantize it twice. */
bool graph_insert_input_quant(Graph *g, const InputType *t, Diag *d);

#endif
