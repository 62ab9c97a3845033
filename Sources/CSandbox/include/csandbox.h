#ifndef CSANDBOX_H
#define CSANDBOX_H

#include <spawn.h>
#include <sys/resource.h>
#include <sys/types.h>

/// The GNU extensions the sandbox needs, which Swift's Glibc module does not export.
int csandbox_pipe_cloexec(int fds[2]);
int csandbox_pidfd_open(pid_t pid);

/// One resource limit to set in the child before it executes the program.
typedef struct {
    int resource;
    rlim_t value;
} csandbox_rlimit;

/// Everything the child does between fork and exec, in this order: join the cgroups (writes "0"
/// to each open `tasks` or `cgroup.procs`), set the resource limits, bind `stage_sources[i]` on
/// `stage_targets[i]` in a private mount namespace of its own (while it is still root, so that
/// folders only root can reach become reachable for the sandbox's uid), start a new session, put `stdin_fd`,
/// `stdout_fd`, `stderr_fd` on 0, 1, 2 and `extra_fds` on 3, 4, ..., close every other
/// descriptor, change to `workdir`, drop to `uid`/`gid` (when `drop_credentials`), exec.
/// Every descriptor passed in must be 10 or above, so that the moves never clobber one another.
typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *workdir;
    int stdin_fd, stdout_fd, stderr_fd;
    const int *extra_fds;
    int extra_count;
    const int *cgroup_fds;
    int cgroup_count;
    const csandbox_rlimit *rlimits;
    int rlimit_count;
    const char *const *stage_sources;
    const char *const *stage_targets;
    int stage_count;
    int drop_credentials;
    uid_t uid;
    gid_t gid;
} csandbox_spawn_request;

/// Starts the request's program. Returns the child's pid, or -1 with `*failed_step` naming what
/// failed ("cgroup", "rlimit", "stage", "chdir", "credentials", "exec", ...) and errno set.
pid_t csandbox_spawn(const csandbox_spawn_request *request, const char **failed_step);

#endif
