/* The front end as one call: load an ONNX file and clean it up. */
#ifndef QONNXC_FRONTEND_H
#define QONNXC_FRONTEND_H

#include "graph.h"

/* Loads, resolves ops, runs the cleanup passes (verifying after each).
 * Returns NULL with d filled on any error. */
Graph *frontend_load(const char *path, Diag *d);

#endif
