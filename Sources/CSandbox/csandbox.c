#define _GNU_SOURCE
#include "csandbox.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

int csandbox_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int csandbox_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int csandbox_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

short csandbox_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

int csandbox_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
