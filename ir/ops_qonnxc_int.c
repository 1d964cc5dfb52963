#include "ops.h"

/* Filled as the ops of this family are implemented. */
const OpDef *const qonnxc_int_ops[] = {
    NULL,
};
