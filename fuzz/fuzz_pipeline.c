/* libFuzzer target: the whole build pipeline in memory (load, cleanup,
 * streamline, dataflow lowering, every emitter), on structure-aware
 * mutations of valid models (fuzz/pipeline_mutator.c). Built and run by
 * fuzz/run.sh; the body is fuzz_pipeline_one (fuzz/fuzz_entry.c). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_entry.h"
#include "pipeline_mutator.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_set_limits();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_pipeline_one(data, size);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    return pipeline_mutate(data, size, max_size, seed);
}
