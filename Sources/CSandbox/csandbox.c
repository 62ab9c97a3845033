#define _GNU_SOURCE
#include "csandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int csandbox_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int csandbox_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/// What the child reports through the error pipe when a step fails.
struct spawn_failure {
    int step;
    int error;
};

static const char *const step_names[] = {"cgroup", "rlimit", "session", "descriptors", "chdir", "credentials", "exec", "stage"};

/// Runs in the child of vfork: only async-signal-safe calls and raw system calls, no allocation,
/// and `setresuid` through `syscall` so glibc does not try to signal the parent's threads.
static void child(const csandbox_spawn_request *r, int report_fd) {
    struct spawn_failure failure = {0, 0};
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    }
    for (int i = 0; i < r->cgroup_count; i++) {
        if (write(r->cgroup_fds[i], "0", 1) != 1) { failure.step = 0; goto fail; }
    }
    for (int i = 0; i < r->rlimit_count; i++) {
        struct rlimit limit = {r->rlimits[i].value, r->rlimits[i].value};
        if (setrlimit(r->rlimits[i].resource, &limit) != 0) { failure.step = 1; goto fail; }
    }
    if (r->stage_count > 0) {
        failure.step = 7;
        if (unshare(CLONE_NEWNS) != 0) goto fail;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) goto fail;
        for (int i = 0; i < r->stage_count; i++) {
            if (mount(r->stage_sources[i], r->stage_targets[i], NULL, MS_BIND | MS_REC, NULL) != 0) goto fail;
        }
    }
    if (setsid() < 0) { failure.step = 2; goto fail; }
    failure.step = 3;
    if (dup2(r->stdin_fd, 0) < 0 || dup2(r->stdout_fd, 1) < 0 || dup2(r->stderr_fd, 2) < 0) goto fail;
    for (int i = 0; i < r->extra_count; i++) {
        if (dup2(r->extra_fds[i], 3 + i) < 0) goto fail;
    }
    if (dup2(report_fd, 3 + r->extra_count) < 0) goto fail;
    report_fd = 3 + r->extra_count;
    if (fcntl(report_fd, F_SETFD, FD_CLOEXEC) < 0) goto fail;
    if (syscall(SYS_close_range, report_fd + 1, ~0U, 0) != 0) goto fail;
    if (r->workdir && chdir(r->workdir) != 0) { failure.step = 4; goto fail; }
    if (r->drop_credentials) {
        failure.step = 5;
        if (syscall(SYS_setgroups, 0, NULL) != 0) goto fail;
        if (syscall(SYS_setresgid, r->gid, r->gid, r->gid) != 0) goto fail;
        if (syscall(SYS_setresuid, r->uid, r->uid, r->uid) != 0) goto fail;
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(r->path, r->argv, r->envp);
    failure.step = 6;
fail:
    failure.error = errno;
    (void)!write(report_fd, &failure, sizeof failure);
    _exit(127);
}

pid_t csandbox_spawn(const csandbox_spawn_request *request, const char **failed_step) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *failed_step = "pipe";
        return -1;
    }
    // The report pipe must not collide with the descriptors the child moves into 0..3+extra.
    int high = fcntl(report[1], F_DUPFD_CLOEXEC, 10);
    close(report[1]);
    if (high < 0) {
        close(report[0]);
        *failed_step = "pipe";
        return -1;
    }
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = vfork();
    if (pid == 0) child(request, high);
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(high);
    if (pid < 0) {
        close(report[0]);
        *failed_step = "fork";
        errno = fork_error;
        return -1;
    }
    struct spawn_failure failure;
    ssize_t got;
    do { got = read(report[0], &failure, sizeof failure); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof failure) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = step_names[failure.step];
        errno = failure.error;
        return -1;
    }
    return pid;
}
