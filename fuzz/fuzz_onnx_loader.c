/* libFuzzer target: the ONNX loader, cleanup and one interpreter run.
 * Built and run by fuzz/run.sh; the body is fuzz_onnx_loader_one (fuzz/fuzz_entry.c). */
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
    return fuzz_onnx_loader_one(data, size);
}
