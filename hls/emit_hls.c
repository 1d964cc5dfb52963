/* The `hls` target driver: plan, then top.c (constant arrays, one
 * function per layer, the DATAFLOW top), top.h (beat types, the top's
 * prototype), and the host side with the csim testbench. See emit_hls.h. */
#include "emit_hls.h"

#include <stdio.h>
#include <string.h>

#include "emit_hls_internal.h"

static bool emit_sources(HlsPlan *p, TextBuf *h, TextBuf *c, Diag *d)
{
    TextBuf data, code;
    tb_init(&data);
    tb_init(&code);
    bool ok = true;
    for (int k = 0; ok && k < p->n_procs; k++)
        ok = hls_emit_layer(p, &p->procs[k], &data, &code, d);
    if (ok) {
        hls_emit_file_comment(p, c);
        tb_puts(c, "#pragma GCC diagnostic ignored \"-Wunknown-pragmas\"   /* C compilers: skip "
                   "the HLS pragmas */\n\n");
        tb_puts(c, "#include <stdint.h>\n\n#include \"top.h\"\n\n");
        if (data.len) {
            tb_puts(c, "/* ---- weights and thresholds ---------------------------------------------- */\n\n");
            tb_write(c, tb_str(&data), data.len);
        }
        tb_puts(c, "/* ---- layers -------------------------------------------------------------- */\n\n");
        tb_write(c, tb_str(&code), code.len);
        hls_emit_top(p, c);
        hls_emit_header(p, h);
        if (data.oom || code.oom)
            c->oom = true;
    }
    tb_free(&data);
    tb_free(&code);
    return ok;
}

bool emit_hls_kernels(const Dataflow *df, const char *name, TextBuf *header, TextBuf *source,
                      Diag *d)
{
    HlsPlan p;
    bool ok = hls_plan(&p, df, name, d) && emit_sources(&p, header, source, d);
    if (ok && (header->oom || source->oom))
        ok = diag_error(d, NULL, NULL, NULL, "out of memory");
    hls_plan_free(&p);
    return ok;
}

bool emit_hls(const Dataflow *df, const char *model_path, const char *name, OutTree *out,
              Diag *d)
{
    HlsPlan p;
    TextBuf h, c;
    tb_init(&h);
    tb_init(&c);
    bool ok = hls_plan(&p, df, name, d) && emit_sources(&p, &h, &c, d);
    if (ok && (h.oom || c.oom || !outtree_add_bytes(out, "hls/top.h", tb_str(&h), h.len) ||
               !outtree_add_bytes(out, "hls/top.c", tb_str(&c), c.len)))
        ok = diag_error(d, model_path, NULL, NULL, "out of memory");
    ok = ok && hls_emit_host(&p, model_path, out, d);
    tb_free(&h);
    tb_free(&c);
    hls_plan_free(&p);
    return ok;
}
