/* External tools: argument vectors, logs, interrupts, progress (child_run.h). */
#include "child_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t interrupt_signal;
static volatile sig_atomic_t child_group;     /* the running child's process group, 0: none */

static void on_interrupt(int sig)
{
    int saved = errno;
    interrupt_signal = sig;
    if (child_group > 0)
        kill(-(pid_t)child_group, SIGTERM);
    errno = saved;
}

void interrupts_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int interrupted_signal(void)
{
    return interrupt_signal;
}

const char *signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

static double now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

/* The status line of one "progress DONE TOTAL CYCLES EST_CYCLES" line. */
static void show_progress(const ChildProgress *p, const char *line, double t0, double *last)
{
    long long done, total, cycles, est;
    if (sscanf(line, "progress %lld %lld %lld %lld", &done, &total, &cycles, &est) != 4)
        return;
    bool tty = isatty(2);
    double t = now_seconds() - t0;
    if (!tty && t - *last < 5.0 && done < total)
        return;                   /* -v into a log: a line every 5 s */
    *last = t;
    double rate = t > 0 ? (double)cycles / t : 0;
    double left = rate > 0 && est > cycles ? (double)(est - cycles) / rate
                  : done > 0 ? t * (double)(total - done) / (double)done : -1;
    char left_s[48];
    if (left < 0)
        snprintf(left_s, sizeof left_s, "?");
    else if (left >= 120)
        snprintf(left_s, sizeof left_s, "%.0f min", left / 60);
    else
        snprintf(left_s, sizeof left_s, "%.0f s", left);
    fprintf(stderr, "%s%s: frame %lld of %lld, %.3g cycles/s, %s left%s", tty ? "\r" : "",
            p->what, done, total, rate, left_s, tty ? "   " : "\n");
}

/* Reads the child's progress lines until it closes the pipe. */
static void follow_progress(int fd, const ChildProgress *p)
{
    char buf[4096];
    size_t len = 0;
    double t0 = now_seconds(), last = -1e9;
    bool shown = false;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        char *start = buf, *nl;
        while ((nl = strchr(start, '\n')) != NULL) {
            *nl = '\0';
            if (p->show) {
                show_progress(p, start, t0, &last);
                shown = true;
            }
            start = nl + 1;
        }
        len -= (size_t)(start - buf);
        memmove(buf, start, len);
        if (len == sizeof buf - 1)
            len = 0;                  /* a line too long to be ours */
    }
    if (shown && isatty(2))
        fputc('\n', stderr);
}

bool child_run(char *const *argv, const char *log, const ChildProgress *progress)
{
    if (interrupt_signal)
        return false;
    int pipe_fd[2] = { -1, -1 };
    if (progress && pipe(pipe_fd) != 0)
        pipe_fd[0] = pipe_fd[1] = -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        if (pipe_fd[0] >= 0) {
            close(pipe_fd[0]);
            close(pipe_fd[1]);
        }
        return false;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (pipe_fd[1] >= 0) {
            dup2(pipe_fd[1], CHILD_PROGRESS_FD);
            close(pipe_fd[0]);
            close(pipe_fd[1]);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);                /* before the handler may signal the group */
    child_group = pid;
    if (pipe_fd[0] >= 0) {
        close(pipe_fd[1]);
        follow_progress(pipe_fd[0], progress);
        close(pipe_fd[0]);
    }
    int status;
    pid_t got;
    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    child_group = 0;
    if (got < 0 || interrupt_signal)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
