/* The dataflow executor against the int engine, frame by frame: what
 * test_dataflow_models and test_dataflow_dag check on real models. */
#ifndef QONNXC_TESTS_DATAFLOW_FRAMES_H
#define QONNXC_TESTS_DATAFLOW_FRAMES_H

#include "dataflow.h"
#include "value.h"

/* Frames 0 .. frames-1 of `all` ([N, ...] float inputs, N capped) through
 * the int engine on g (capturing InputQuant's output and the tensor the
 * last layer writes) and through dataflow_exec_frame on that input: the
 * stream must be the int engine's values in out_order, or with `labels`
 * the top-k indices of its scores (ties to the lower index). Fails the
 * current Check test naming `what`, the frame and the element; returns
 * how many frames were compared. */
int dataflow_compare_frames(const char *what, Graph *g, const Dataflow *df, const Value *all,
                            int frames, int labels);

#endif
