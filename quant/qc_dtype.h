/* QONNX integer datatypes: which values a tensor may hold.
 *
 * A datatype is a kind plus a bit width. The width is what one element takes
 * when packed (see qc_pack.h); the range follows from kind and width:
 *
 *   kind        bits   range
 *   BIPOLAR     1      {-1, +1}         (code 1 means +1, code 0 means -1)
 *   BINARY      1      {0, 1}
 *   TERNARY     2      {-1, 0, +1}      (2-bit two's complement codes)
 *   INTn        1..32  -2^(n-1) .. 2^(n-1)-1   (so INT1 is {-1, 0})
 *   UINTn       1..32  0 .. 2^n-1
 *
 * Ranges are returned as int64_t so that INT32 and UINT32 both fit.
 * Part of the quant core: C99, no libc beyond <stdint.h>/<stddef.h>/<string.h>. */
#ifndef QC_DTYPE_H
#define QC_DTYPE_H

#include <stdint.h>

typedef enum {
    QC_BIPOLAR, /* {-1, +1}, 1 bit */
    QC_BINARY,  /* {0, 1}, 1 bit */
    QC_TERNARY, /* {-1, 0, +1}, 2 bits */
    QC_INT,     /* signed two's complement, 1..32 bits */
    QC_UINT     /* unsigned, 1..32 bits */
} qc_kind;

typedef struct {
    qc_kind kind;
    uint8_t bits;
} qc_dtype;

/* Constructors, so callers never get the implied widths wrong. */
static inline qc_dtype qc_dtype_int(unsigned bits)  { qc_dtype d; d.kind = QC_INT;  d.bits = (uint8_t)bits; return d; }
static inline qc_dtype qc_dtype_uint(unsigned bits) { qc_dtype d; d.kind = QC_UINT; d.bits = (uint8_t)bits; return d; }
static inline qc_dtype qc_dtype_bipolar(void)       { qc_dtype d; d.kind = QC_BIPOLAR; d.bits = 1; return d; }
static inline qc_dtype qc_dtype_binary(void)        { qc_dtype d; d.kind = QC_BINARY;  d.bits = 1; return d; }
static inline qc_dtype qc_dtype_ternary(void)       { qc_dtype d; d.kind = QC_TERNARY; d.bits = 2; return d; }

/* 1 if dt is one of the datatypes in the table above (right width for its
 * kind), else 0. The other functions assume a valid dtype; on an invalid one
 * they return 0 (min, max, acc_bits) or x unchanged (saturate). */
int qc_dtype_valid(qc_dtype dt);

/* 1 if dt holds negative values (BIPOLAR, TERNARY, INTn), else 0. */
int qc_dtype_signed(qc_dtype dt);

/* Smallest and largest value of dt. */
int64_t qc_dtype_min(qc_dtype dt);
int64_t qc_dtype_max(qc_dtype dt);

/* x clamped to [qc_dtype_min(dt), qc_dtype_max(dt)]. For BIPOLAR that is
 * [-1, 1]: 0 stays 0, a sign has to be chosen separately (see qc_encode). */
int64_t qc_saturate(int64_t x, qc_dtype dt);

/* The narrowest INTn or UINTn whose range contains [min, max]; UINT whenever
 * min >= 0 (e.g. [0,1] -> UINT1, [-1,0] -> INT1, [-1,1] -> INT2).
 * Returns a dtype with bits == 0 (invalid) if min > max or no 32-bit type
 * holds the range. Never returns BIPOLAR/BINARY/TERNARY. */
qc_dtype qc_dtype_for_range(int64_t min, int64_t max);

/* Bits of the narrowest signed accumulator that holds every dot product of
 * n elements of a with n elements of b (n >= 0; n < 0 counts as 0).
 * Computed exactly from the extreme element products: the sum lies in
 * [n * min_product, n * max_product], and both ends are reached when every
 * element pair takes the extreme values. Example: 784 BIPOLAR x BIPOLAR
 * gives sums in [-784, 784], which needs 11 bits. The result may exceed 64;
 * a kernel with an int32_t accumulator is only correct when this is <= 32. */
unsigned qc_dtype_acc_bits(qc_dtype a, qc_dtype b, int64_t n);

#endif
