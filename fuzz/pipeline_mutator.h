/* Structure-aware mutations of ONNX models for fuzz_pipeline: the input is
 * decoded as a ModelProto (protobuf-c), one thing in it is changed the way a
 * different export could have it (a dim, a quantizer's bit width, scale or
 * zero-point, an attribute, a node's inputs, domain or opset, a constant),
 * and it is encoded again. The result is still a valid protobuf, so most
 * mutants get past the loader and reach streamlining and the emitters,
 * which byte-level mutations of a protobuf seldom do. */
#ifndef QONNXC_PIPELINE_MUTATOR_H
#define QONNXC_PIPELINE_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's LLVMFuzzerCustomMutator contract: mutates data[0, size) in
 * place into at most max_size bytes and returns the new size. Falls back to
 * libFuzzer's byte mutations (LLVMFuzzerMutate) now and then, and whenever
 * the input does not decode or the mutant would not fit. */
size_t pipeline_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#endif
