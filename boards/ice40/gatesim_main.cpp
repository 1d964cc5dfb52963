// gatesim_main.cpp: the frame runner's link through the gate-level
// simulation of the ice40 target (Verilator on the netlist yosys's
// synth_ice40 made of <name>_board, with yosys's iCE40 cell models).
// Bytes go in as serial bits on rx, CLKS_PER_BIT clock cycles each (8N1,
// least significant bit first), and come back decoded from tx: the UART,
// the byte/beat conversions and the accelerator are all simulated as
// synthesized. Only the PLL is not: the harness drives the clock the PLL
// would make.
#include <cstdio>
#include <memory>

#include "verilated.h"

#include "gatesim_design.h"
#include "uart_frames.h"
#include "uart_link.h"

extern "C" {
const int uart_link_takes_port = 0;
}

static std::unique_ptr<VerilatedContext> ctx;
static std::unique_ptr<Board> top;
static long long cycle = 0;

// the tx decoder: a falling edge starts a byte, each bit is sampled in
// its middle
static struct {
    int busy = 0, bit = 0;
    long long count = 0;
    unsigned value = 0;
} rxd;

static int got_byte(unsigned *value)
{
    int tx = top->tx;
    if (!rxd.busy) {
        if (!tx) {
            rxd.busy = 1;
            rxd.bit = 0;
            rxd.count = CLKS_PER_BIT / 2;
            rxd.value = 0;
        }
        return 0;
    }
    if (--rxd.count > 0)
        return 0;
    rxd.count = CLKS_PER_BIT;
    if (rxd.bit >= 1 && rxd.bit <= 8)
        rxd.value |= (unsigned)tx << (rxd.bit - 1);
    if (rxd.bit++ < 9)
        return 0;
    rxd.busy = 0;
    if (!tx) {
        fprintf(stderr, "%s_gatesim: tx: a byte without its stop bit at cycle %lld\n", UART_NAME,
                cycle);
        return -1;
    }
    *value = rxd.value;
    return 1;
}

static void tick()
{
    top->clk = 0;
    top->eval();
    ctx->timeInc(1);
    top->clk = 1;
    top->eval();
    ctx->timeInc(1);
    cycle++;
}

extern "C" int uart_link_open(const char *)
{
    ctx.reset(new VerilatedContext);
    top.reset(new Board(ctx.get()));
    top->rx = 1;
    top->clk_ok = 1;
    top->clk = 0;
    top->eval();
    // the board's power-on reset holds for RESET_CYCLES
    for (int k = 0; k < RESET_CYCLES + 16; k++)
        tick();
    return 0;
}

extern "C" int uart_link_frame(const uint8_t *in, uint8_t *out)
{
    int got = 0;
    unsigned v;
    // 10 bits per byte: start, 8 data bits, stop
    for (int k = 0; k < IN_FRAME_BYTES; k++)
        for (int b = 0; b < 10; b++) {
            top->rx = b == 0 ? 0 : b == 9 ? 1 : (in[k] >> (b - 1)) & 1u;
            for (int c = 0; c < CLKS_PER_BIT; c++) {
                tick();
                int r = got_byte(&v);
                if (r < 0)
                    return 1;
                if (r > 0 && got < OUT_FRAME_BYTES)
                    out[got++] = (uint8_t)v;
            }
        }
    top->rx = 1;
    const long long limit = cycle + WATCHDOG_CYCLES;
    while (got < OUT_FRAME_BYTES) {
        if (cycle >= limit) {
            fprintf(stderr, "%s_gatesim: watchdog: %d of %d output bytes after %lld cycles\n",
                    UART_NAME, got, OUT_FRAME_BYTES, (long long)WATCHDOG_CYCLES);
            return 1;
        }
        tick();
        int r = got_byte(&v);
        if (r < 0)
            return 1;
        if (r > 0)
            out[got++] = (uint8_t)v;
    }
    if (top->overrun) {
        fprintf(stderr, "%s_gatesim: the board dropped an input byte (overrun)\n", UART_NAME);
        return 1;
    }
    return 0;
}

extern "C" void uart_link_close(void)
{
    if (top)
        top->final();
    top.reset();
    ctx.reset();
}
