/* libFuzzer target: the YAML build-config reader (config_parse, from text in
 * memory, so no temporary files). Built and run by fuzz/run.sh; the body is
 * fuzz_config_one (fuzz/fuzz_entry.c).
 *
 * Only the reader, not the folding of a config against a model (ir/fold.c):
 * that needs a model loaded and streamlined per process (24 ms for
 * TFC-W1A1) and 0.8 ms per accepted config (gcc -O2, no sanitizers), and
 * random bytes would mostly give it configs the reader rejects, or the
 * defaults. The reader's promises are what the folding relies on, and
 * fuzz_config_one checks them on every accepted config; test_fold covers
 * the folding with the real models. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_entry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_set_limits();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_config_one(data, size);
}
