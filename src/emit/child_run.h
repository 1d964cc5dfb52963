/* Running the external tools of verify and build (make, cc, Verilator, the
 * simulations): by argument vector, output into a log, interruptible, with
 * progress from the long ones.
 *
 * Interrupts. interrupts_install() catches SIGINT and SIGTERM: the handler
 * only records the signal and kills the running child's process group
 * (kill is async-signal-safe). child_run then returns false, the caller
 * removes its temporary files on the way out (the ordinary error path),
 * and the command checks interrupted_signal() to exit with 128 + signal
 * and a message. A child is started in its own process group, so a Ctrl-C
 * reaches it only through qonnxc and is handled in one place.
 *
 * Progress. A child given a ChildProgress gets CHILD_PROGRESS_FD open for
 * writing and prints lines "progress DONE TOTAL CYCLES EST_CYCLES" to it
 * (frames done of total, cycles simulated so far, estimated cycles of the
 * whole run); child_run turns them into one status line on stderr: frames
 * done of total, simulated cycles per second, time left. */
#ifndef QONNXC_CHILD_RUN_H
#define QONNXC_CHILD_RUN_H

#include <stdbool.h>

#define CHILD_PROGRESS_FD 9
#define CHILD_PROGRESS_FD_ARG "9"

typedef struct ChildProgress {
    const char *what;      /* "rtl simulation", for the status line */
    bool show;             /* print it (stderr is a terminal, or -v) */
} ChildProgress;

/* Catches SIGINT and SIGTERM as above (idempotent). */
void interrupts_install(void);
/* The signal that interrupted the run, 0 if none. */
int interrupted_signal(void);
/* "SIGINT" / "SIGTERM". */
const char *signal_name(int sig);

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr appended to
 * log; true on exit status 0. progress may be NULL. False at once, without
 * running anything, after an interrupt. */
bool child_run(char *const *argv, const char *log, const ChildProgress *progress);

#endif
