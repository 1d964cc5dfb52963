/* Datatype names, without stdio: emitted code and the compiler share it. */
#include "qc_dtype_name.h"

#include <string.h>

const char *qc_dtype_name(qc_dtype dt, char buf[16])
{
    const char *prefix;
    size_t len;

    if (!qc_dtype_valid(dt)) {
        strcpy(buf, "INVALID");
        return buf;
    }
    switch (dt.kind) {
    case QC_BIPOLAR: strcpy(buf, "BIPOLAR"); return buf;
    case QC_BINARY:  strcpy(buf, "BINARY");  return buf;
    case QC_TERNARY: strcpy(buf, "TERNARY"); return buf;
    case QC_INT:     prefix = "INT";  break;
    default:         prefix = "UINT"; break;
    }
    strcpy(buf, prefix);
    len = strlen(buf);
    if (dt.bits >= 10)
        buf[len++] = (char)('0' + dt.bits / 10);
    buf[len++] = (char)('0' + dt.bits % 10);
    buf[len] = '\0';
    return buf;
}

/* "1".."32" without leading zeros -> 1..32; anything else -> 0. */
static unsigned parse_width(const char *s)
{
    unsigned v = 0;
    size_t i;

    if (s[0] < '1' || s[0] > '9')
        return 0;
    for (i = 0; s[i]; ++i) {
        if (i >= 2 || s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v <= 32 ? v : 0;
}

int qc_dtype_parse(const char *s, qc_dtype *out)
{
    unsigned bits;

    if (strcmp(s, "BIPOLAR") == 0) {
        *out = qc_dtype_bipolar();
    } else if (strcmp(s, "BINARY") == 0) {
        *out = qc_dtype_binary();
    } else if (strcmp(s, "TERNARY") == 0) {
        *out = qc_dtype_ternary();
    } else if (strncmp(s, "INT", 3) == 0 && (bits = parse_width(s + 3)) != 0) {
        *out = qc_dtype_int(bits);
    } else if (strncmp(s, "UINT", 4) == 0 && (bits = parse_width(s + 4)) != 0) {
        *out = qc_dtype_uint(bits);
    } else {
        return -1;
    }
    return 0;
}
