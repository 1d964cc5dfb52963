/* Datatype names as QONNX and FINN write them: "INT4", "UINT8", "BIPOLAR",
 * "BINARY", "TERNARY". Only the compiler needs these (to read tensor
 * annotations and write reports), so emitted code does not copy this file. */
#ifndef QC_DTYPE_NAME_H
#define QC_DTYPE_NAME_H

#include "qc_dtype.h"

/* Writes the name of dt into buf and returns buf. An invalid dtype is named
 * "INVALID". 16 bytes always suffice ("UINT32" is the longest name). */
const char *qc_dtype_name(qc_dtype dt, char buf[16]);

/* Parses a name written by qc_dtype_name: "BIPOLAR", "BINARY", "TERNARY",
 * "INTn" or "UINTn" with n = 1..32 in decimal without leading zeros
 * (FINN's "INT32" included). Upper case only, as QONNX/FINN write them.
 * Returns 0 and fills *out on success; returns -1 and leaves *out untouched
 * for anything else (e.g. "FLOAT32", "INT0", "INT33", "int8"). */
int qc_dtype_parse(const char *s, qc_dtype *out);

#endif
