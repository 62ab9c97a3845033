#ifndef CSANDBOX_H
#define CSANDBOX_H

#include <spawn.h>
#include <sys/types.h>

/// The GNU extensions the sandbox needs, which Swift's Glibc module does not export.
int csandbox_pipe_cloexec(int fds[2]);
int csandbox_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
int csandbox_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
short csandbox_spawn_setsid_flag(void);
int csandbox_pidfd_open(pid_t pid);

#endif
