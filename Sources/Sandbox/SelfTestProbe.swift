/// The program `crucible sandbox selftest` runs inside the sandbox: it attacks each promise and prints one JSON line per attempt.
enum SelfTestProbe {
    static let script = #"""
    # Crucible sandbox self-test probe: runs inside the sandbox and tries to break each promise.
    # Usage: python3 probe.py 'JSON'. Prints one JSON object per attempt on stdout; held=true means
    # the attack failed. Each attempt but the first runs in a forked child of its own, so a kill by the
    # syscall filter or a crash costs only that row. Standard library only; Python 3.8 or later.
    import ctypes
    import errno
    import fcntl
    import json
    import os
    import platform
    import re
    import select
    import signal
    import socket
    import struct
    import sys
    import termios
    import time

    ARGS = json.loads(sys.argv[1])
    CWD = os.getcwd()
    TAG = ".crucible-selftest-%d" % os.getpid()
    WAIT = 1.0  # the longest any single wait may take, in seconds

    # Syscall numbers, from asm/unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64).
    SYSCALLS = {
        "x86_64": {"ptrace": 101, "unshare": 272, "mount": 165, "umount2": 166, "io_uring_setup": 425,
                   "bpf": 321, "userfaultfd": 323, "perf_event_open": 298, "keyctl": 250},
        "aarch64": {"ptrace": 117, "unshare": 97, "mount": 40, "umount2": 39, "io_uring_setup": 425,
                    "bpf": 280, "userfaultfd": 282, "perf_event_open": 241, "keyctl": 219},
    }
    NR = SYSCALLS.get(platform.machine())

    PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE = 16, 17, 0x4206
    WALL = 0x40000000  # __WALL, to wait for a traced process
    CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
    MNT_DETACH = 2
    UFFD_USER_MODE_ONLY = 1
    TIOCSTI = getattr(termios, "TIOCSTI", 0x5412)
    TIOCSCTTY = getattr(termios, "TIOCSCTTY", 0x540E)


    class UnknownArchitecture(Exception):
        pass


    def emit(row):
        sys.stdout.write(json.dumps(row) + "\n")
        sys.stdout.flush()


    def outcome(fn):
        # (held, detail) of one attempt; a crash counts as a broken promise.
        try:
            held, detail = fn()
            return bool(held), str(detail)
        except UnknownArchitecture:
            return False, "unknown architecture: %s" % platform.machine()
        except Exception as e:
            return False, "probe crashed: %s: %s" % (type(e).__name__, e)


    def errstr(code):
        name = errno.errorcode.get(code, "?")
        return "[Errno %d] %s (%s)" % (code, os.strerror(code), name)


    def read_text(path):
        with open(path) as f:
            return f.read()


    # ---- helpers: processes, mounts, syscalls ----

    def pids():
        return sorted(int(n) for n in os.listdir("/proc") if n.isdigit())


    def proc_stat(pid):
        # (comm, ppid) of a process, or None if it is gone or unreadable.
        try:
            data = read_text("/proc/%d/stat" % pid)
        except OSError:
            return None
        close = data.rindex(")")
        return data[data.index("(") + 1:close], int(data[close + 2:].split()[1])


    def own_processes():
        # This process and its ancestors, as seen from here.
        own, pid = [], os.getpid()
        while pid > 0 and pid not in own:
            own.append(pid)
            info = proc_stat(pid)
            pid = info[1] if info else 0
        return own


    def unescape(field):
        return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


    def mountinfo():
        rows = []
        for line in read_text("/proc/self/mountinfo").splitlines():
            left, _, right = line.partition(" - ")
            f, r = left.split(), right.split()
            rows.append({"root": unescape(f[3]), "point": unescape(f[4]), "opts": f[5].split(","),
                         "fstype": r[0] if r else "", "source": unescape(r[1]) if len(r) > 1 else ""})
        return rows


    def mount_of(path, rows):
        # The mount that holds path: the longest mount point above it, the topmost of a stack.
        best = None
        for row in rows:
            point = row["point"]
            if path == point or path.startswith(point.rstrip("/") + "/"):
                if best is None or len(point) >= len(best["point"]):
                    best = row
        return best


    LIBC = ctypes.CDLL(None, use_errno=True)
    LIBC.syscall.restype = ctypes.c_long


    def syscall(name, *args):
        # Calls a syscall by number; returns (result, errno).
        if NR is None:
            raise UnknownArchitecture()
        conv = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
        ctypes.set_errno(0)
        rc = LIBC.syscall(ctypes.c_long(NR[name]), *conv)
        return rc, (ctypes.get_errno() if rc == -1 else 0)


    def spawn(fn):
        # Starts fn in a forked child, so a kill by the syscall filter, a namespace it enters or a
        # crash touches only that child. Returns (pid, read end of the pipe carrying its answer).
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                os.write(w, json.dumps(outcome(fn)).encode())
            finally:
                os._exit(0)
        os.close(w)
        return pid, r


    def collect(pid, r, deadline):
        # The child's (held, detail), waiting until deadline at most.
        data = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                break
            chunk = os.read(r, 65536)
            if not chunk:
                break
            data += chunk
        os.close(r)
        status = None
        while status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
            elif time.monotonic() >= deadline:
                os.kill(pid, signal.SIGKILL)
                status = os.waitpid(pid, 0)[1]
            else:
                time.sleep(0.002)
        try:
            held, detail = json.loads(data.decode())
            return bool(held), str(detail)
        except ValueError:
            pass  # no answer, or a cut one: the exit status tells
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSYS:
            return True, "killed by SIGSYS: the syscall filter refused it"
        if os.WIFSIGNALED(status):
            return False, "probe died from signal %d" % os.WTERMSIG(status)
        return False, "probe gave no answer in time"


    def cleanup():
        # Removes whatever a killed probe left in the working directory.
        for name in os.listdir(CWD):
            if name.startswith(TAG):
                path = os.path.join(CWD, name)
                try:
                    if os.path.isdir(path) and not os.path.islink(path):
                        os.rmdir(path)
                    else:
                        os.unlink(path)
                except OSError:
                    pass


    # ---- inherited descriptors (runs first, before the probe opens anything) ----

    def probe_fds():
        names = sorted(os.listdir("/proc/self/fd"), key=int)
        std, extra = [], []
        for name in names:
            try:
                target = os.readlink("/proc/self/fd/" + name)
            except OSError:
                continue  # the descriptor that did the listing, closed since
            (std if int(name) <= 2 else extra).append("%s -> %s" % (name, target))
        if extra:
            return False, "inherited: " + ", ".join(extra)
        return True, "only 0, 1, 2 open (%s)" % ", ".join(std)


    # ---- network ----

    def tcp_attempts(targets):
        # Non-blocking connects to every (label, family, address), all sharing one deadline.
        results, pending = [], {}
        for label, family, addr in targets:
            try:
                s = socket.socket(family, socket.SOCK_STREAM)
            except OSError as e:
                results.append((label, False, "socket: %s" % e))
                continue
            s.setblocking(False)
            try:
                rc = s.connect_ex(addr)
            except OSError as e:
                rc = e.errno or errno.EINVAL
            if rc in (errno.EINPROGRESS, errno.EAGAIN):
                pending[s] = label
                continue
            results.append((label, rc == 0, "connected" if rc == 0 else errstr(rc)))
            s.close()
        deadline = time.monotonic() + WAIT
        while pending:
            left = deadline - time.monotonic()
            ready = select.select([], list(pending), [], left)[1] if left > 0 else []
            if not ready:
                break
            for s in ready:
                rc = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                results.append((pending.pop(s), rc == 0, "connected" if rc == 0 else errstr(rc)))
                s.close()
        for s, label in pending.items():
            results.append((label, False, "no answer within %.0f s" % WAIT))
            s.close()
        return verdict("connect", results)


    def udp_exchanges(targets, payload):
        # Sends payload to every target and waits up to WAIT for any reply.
        results, pending = [], {}
        for label, family, addr in targets:
            try:
                s = socket.socket(family, socket.SOCK_DGRAM)
                s.setblocking(False)
                s.connect(addr)
                s.send(payload)
            except OSError as e:
                results.append((label, False, "send: %s" % e))
                continue
            pending[s] = label
        deadline = time.monotonic() + WAIT
        while pending:
            left = deadline - time.monotonic()
            ready = select.select(list(pending), [], [], left)[0] if left > 0 else []
            if not ready:
                break
            for s in ready:
                label = pending.pop(s)
                try:
                    data = s.recv(4096)
                    results.append((label, True, "sent, got %d bytes back" % len(data)))
                except OSError as e:
                    results.append((label, False, "sent, then %s" % e))
                s.close()
        for s, label in pending.items():
            results.append((label, False, "sent, no reply within %.0f s" % WAIT))
            s.close()
        return verdict("udp", results)


    def verdict(verb, results):
        breached = [r for r in results if r[1]]
        detail = "; ".join("%s %s: %s" % (verb, label, text) for label, _, text in results)
        return not breached, detail


    def dns_query():
        header = struct.pack(">HHHHHH", 0x4352, 0x0100, 1, 0, 0, 0)
        return header + b"\x07example\x03com\x00" + struct.pack(">HH", 1, 1)


    def probe_tcp4_public():
        return tcp_attempts([("%s:%d" % a, socket.AF_INET, a) for a in
                             [("1.1.1.1", 80), ("8.8.8.8", 443), ("9.9.9.9", 443), ("169.254.169.254", 80)]])


    def probe_udp4_public():
        return udp_exchanges([("%s:53" % h, socket.AF_INET, (h, 53)) for h in ("1.1.1.1", "8.8.8.8")], dns_query())


    def probe_tcp4_loopback():
        port = ARGS["tcp4_port"]
        return tcp_attempts([("127.0.0.1:%d" % port, socket.AF_INET, ("127.0.0.1", port))])


    def probe_udp4_loopback():
        port = ARGS["udp4_port"]
        return udp_exchanges([("127.0.0.1:%d" % port, socket.AF_INET, ("127.0.0.1", port))], b"crucible-selftest")


    def probe_tcp6_loopback():
        port = ARGS["tcp6_port"]
        return tcp_attempts([("[::1]:%d" % port, socket.AF_INET6, ("::1", port, 0, 0))])


    def probe_tcp6_public():
        return tcp_attempts([("[%s]:%d" % a, socket.AF_INET6, (a[0], a[1], 0, 0)) for a in
                             [("2606:4700:4700::1111", 80), ("2001:4860:4860::8888", 443)]])


    def unix_connect(addr, label):
        for kind, kind_name in ((socket.SOCK_STREAM, "stream"), (socket.SOCK_SEQPACKET, "seqpacket"),
                                (socket.SOCK_DGRAM, "dgram")):
            try:
                s = socket.socket(socket.AF_UNIX, kind)
            except OSError as e:
                return True, "socket(AF_UNIX): %s" % e
            s.settimeout(WAIT)
            try:
                s.connect(addr)
                return False, "connected (%s) to %s" % (kind_name, label)
            except OSError as e:
                if e.errno != errno.EPROTOTYPE:
                    return True, "connect %s: %s" % (label, e)
            finally:
                s.close()
        return False, "%s exists (every socket type refused with EPROTOTYPE)" % label


    def probe_unix_path():
        path = ARGS["unix_socket_path"]
        return unix_connect(path, path)


    def probe_unix_abstract():
        name = ARGS["abstract_socket"]
        return unix_connect("\0" + name, "@" + name)


    def probe_interfaces():
        names, notes = set(), []
        try:
            for line in read_text("/proc/net/dev").splitlines()[2:]:
                names.add(line.split(":")[0].strip())
        except OSError as e:
            notes.append("/proc/net/dev: %s" % e)
        try:
            names.update(name for _, name in socket.if_nameindex())
        except OSError as e:
            notes.append("if_nameindex: %s" % e)
        detail = "interfaces: %s" % (", ".join(sorted(names)) or "none")
        return names <= {"lo"}, "; ".join([detail] + notes)


    # ---- files ----

    def create_in(directory):
        path = os.path.join(directory, TAG)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as e:
            return True, "create %s: %s" % (path, errstr(e.errno))
        os.close(fd)
        os.unlink(path)
        return False, "created %s (removed again)" % path


    def probe_outside_path():
        path = ARGS["outside_path"]
        try:
            os.lstat(path)
        except OSError as e:
            return True, "stat %s: %s" % (path, errstr(e.errno))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as e:
            return False, "%s is visible (open for writing: %s)" % (path, errstr(e.errno))
        os.write(fd, b"crucible selftest probe wrote here\n")
        os.close(fd)
        return False, "%s is visible and was written" % path


    def probe_symlink_outside():
        path, link = ARGS["outside_path"], os.path.join(CWD, TAG + "-outside")
        os.symlink(path, link)
        try:
            fd = os.open(link, os.O_WRONLY | os.O_APPEND)
            os.write(fd, b"crucible selftest probe wrote here through a symlink\n")
            os.close(fd)
            return False, "wrote %s through a symlink in the working directory" % path
        except OSError as e:
            return True, "open symlink -> %s: %s" % (path, errstr(e.errno))
        finally:
            os.unlink(link)


    def probe_symlink_usr_bin():
        link = os.path.join(CWD, TAG + "-usrbin")
        os.symlink("/usr/bin", link)
        try:
            target = os.path.join(link, TAG)
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except OSError as e:
                return True, "create through symlink -> /usr/bin: %s" % errstr(e.errno)
            os.close(fd)
            os.unlink(target)
            return False, "created /usr/bin/%s through a symlink (removed again)" % TAG
        finally:
            os.unlink(link)


    def probe_hardlink_usr():
        source = next((p for p in ("/usr/lib/os-release", "/usr/bin/env", "/usr/bin/true")
                       if os.path.isfile(p) and not os.path.islink(p)), None)
        if source is None:
            return True, "no regular file found in /usr to link"
        link = os.path.join(CWD, TAG + "-hardlink")
        try:
            os.link(source, link)
        except OSError as e:
            return True, "link %s into the working directory: %s" % (source, errstr(e.errno))
        try:
            try:
                fd = os.open(link, os.O_WRONLY)
            except OSError as e:
                return False, "linked %s into the working directory (open for writing: %s)" % (source, errstr(e.errno))
            os.write(fd, b"")  # opening is the breach; nothing is written
            os.close(fd)
            return False, "linked %s into the working directory and opened it for writing" % source
        finally:
            os.unlink(link)


    def rename_away(path):
        moved = path.rstrip("/") + TAG if path != "/" else "/" + TAG
        try:
            os.rename(path, moved)
        except OSError as e:
            return True, "rename %s: %s" % (path, errstr(e.errno))
        try:
            os.rename(moved, path)
            return False, "renamed %s to %s (and back)" % (path, moved)
        except OSError as e:
            return False, "renamed %s to %s and could not move it back: %s" % (path, moved, e)


    def probe_secrets():
        leaks, refusals = [], []
        for path in ARGS["secret_paths"]:
            try:
                with open(path, "rb") as f:
                    leaks.append("read %d bytes of %s" % (len(f.read(64)), path))
            except OSError as e:
                refusals.append("%s: %s" % (path, errstr(e.errno)))
        return not leaks, "; ".join(leaks + refusals)


    def own_home():
        # The sandbox's own $HOME when it is a symlink into its private /tmp, else None.
        home = os.environ.get("HOME", "")
        if not home or not os.path.islink(home):
            return None
        target = os.path.realpath(home)
        tmp = mount_of(target, mountinfo())
        if tmp is not None and tmp["point"] == "/tmp" and tmp["fstype"] == "tmpfs":
            return home
        return None


    def foreign_entries(top, allowed_fstypes=None, own=()):
        # Entries under top that are neither mounts the sandbox placed, nor its own paths (own),
        # nor folders leading to them.
        rows = mountinfo()
        points = {row["point"]: row["fstype"] for row in rows}
        foreign, carried, notes = [], [], []

        def walk(directory):
            try:
                names = sorted(os.listdir(directory))
            except OSError as e:
                if directory == top:
                    raise
                notes.append("list %s: %s" % (directory, errstr(e.errno)))
                return
            for name in names:
                path = os.path.join(directory, name)
                if path in own:
                    carried.append("%s (its own, -> %s)" % (path, os.path.realpath(path)))
                elif path in points:
                    ok = allowed_fstypes is None or points[path] in allowed_fstypes
                    (carried if ok else foreign).append("%s (%s)" % (path, points[path]))
                elif any(p.startswith(path + "/") for p in points):
                    walk(path)
                else:
                    foreign.append(path)

        try:
            walk(top)
        except OSError as e:
            return True, "list %s: %s" % (top, errstr(e.errno))
        if foreign:
            shown = ", ".join(foreign[:8]) + (" and %d more" % (len(foreign) - 8) if len(foreign) > 8 else "")
            return False, "; ".join(["host entries visible: " + shown] + notes)
        return True, "; ".join(["only sandbox mounts: %s" % (", ".join(carried) or "empty")] + notes)


    def probe_list_root():
        return foreign_entries("/root")


    def probe_list_home():
        home = own_home()
        return foreign_entries("/home", allowed_fstypes={"tmpfs"}, own=(home,) if home else ())


    def probe_mounts():
        rows, hits = mountinfo(), []
        for host_path in ARGS["host_paths"]:
            for row in rows:
                for field in ("point", "root", "source"):
                    if row[field].rstrip("/") == host_path.rstrip("/"):
                        hits.append("%s as mount %s of %s" % (host_path, field, row["point"]))
        if hits:
            return False, "; ".join(hits)
        return True, "%d mounts, none names %s" % (len(rows), ", ".join(ARGS["host_paths"]))


    # ---- processes, environment, identity ----

    def describe(pid):
        info = proc_stat(pid)
        return "%d (%s)" % (pid, info[0] if info else "?")


    def engine_seen():
        # (seen, detail): whether the engine's pid names a process here. A pid that happens to be the
        # sandbox's own bwrap, one of this process's ancestors, is not the engine.
        pid = ARGS["engine_pid"]
        try:
            os.kill(pid, 0)
            result = "signal 0 delivered"
        except ProcessLookupError:
            return False, "kill(%d, 0): no such process" % pid
        except PermissionError:
            result = "EPERM, yet the pid exists"
        info = proc_stat(pid)
        if info and info[0] == "bwrap" and pid in own_processes():
            return False, "pid %s here is the sandbox's own bwrap, not the engine" % describe(pid)
        return True, "kill(%d, 0): %s: %s" % (pid, result, describe(pid))


    def probe_processes():
        own, everyone = own_processes(), pids()
        engine, _ = engine_seen()
        foreign = [p for p in everyone if p not in own or (engine and p == ARGS["engine_pid"])]
        if foreign:
            shown = ", ".join(describe(p) for p in foreign[:8])
            more = " and %d more" % (len(foreign) - 8) if len(foreign) > 8 else ""
            return False, "%d processes besides its own: %s%s" % (len(foreign), shown, more)
        return True, "only its own processes: %s" % ", ".join(describe(p) for p in everyone)


    def probe_signal_engine():
        seen, detail = engine_seen()
        return not seen, detail


    def probe_environment():
        name, value = ARGS["canary_name"], ARGS["canary_value"]
        found, read, unreadable = [], 0, 0
        if name in os.environ:
            found.append("os.environ has %s" % name)
        elif any(value in v for v in os.environ.values()):
            found.append("os.environ holds the canary value")
        needles = (value.encode(), (name + "=").encode())
        for pid in pids():
            try:
                with open("/proc/%d/environ" % pid, "rb") as f:
                    data = f.read()
            except OSError:
                unreadable += 1
                continue
            read += 1
            if any(n in data for n in needles):
                found.append("/proc/%d/environ of %s" % (pid, describe(pid)))
        scanned = "%d environ files read, %d unreadable" % (read, unreadable)
        if found:
            return False, "canary found: %s (%s)" % ("; ".join(found), scanned)
        return True, "canary absent (%s)" % scanned


    def probe_hostname():
        mine = socket.gethostname()
        return mine != ARGS["host_hostname"], "hostname %r, host's %r" % (mine, ARGS["host_hostname"])


    # ---- kernel attack surface (each in a forked child) ----

    def probe_ptrace_init():
        # PTRACE_SEIZE makes the same permission check as PTRACE_ATTACH but never stops the target.
        rc, err = syscall("ptrace", PTRACE_SEIZE, 1, 0, 0)
        if rc == 0:
            return False, "PTRACE_SEIZE of %s succeeded" % describe(1)
        return True, "PTRACE_SEIZE of %s: %s" % (describe(1), errstr(err))


    def probe_ptrace_child():
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(w)
            os.read(r, 1)  # returns when the tracer is gone
            os._exit(0)
        os.close(r)
        try:
            rc, err = syscall("ptrace", PTRACE_ATTACH, pid, 0, 0)
            if rc != 0:
                return True, "PTRACE_ATTACH of own child: %s" % errstr(err)
            os.waitpid(pid, WALL)
            syscall("ptrace", PTRACE_DETACH, pid, 0, 0)
            return False, "PTRACE_ATTACH of own child succeeded"
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, WALL)


    def unshare_attempt(flag, what):
        def try_unshare():
            rc, err = syscall("unshare", flag)
            if rc == 0:
                return False, "unshare(%s) succeeded" % what
            return True, "unshare(%s): %s" % (what, errstr(err))
        return try_unshare


    def probe_mount_tmpfs():
        target = os.path.join(CWD, TAG + "-mnt")
        os.mkdir(target)
        try:
            rc, err = syscall("mount", ctypes.c_char_p(b"crucible"), ctypes.c_char_p(target.encode()),
                              ctypes.c_char_p(b"tmpfs"), 0, ctypes.c_char_p(b"size=1m"))
            if rc == 0:
                syscall("umount2", ctypes.c_char_p(target.encode()), MNT_DETACH)
                return False, "mounted a tmpfs on %s (unmounted again)" % target
            return True, "mount tmpfs on %s: %s" % (target, errstr(err))
        finally:
            os.rmdir(target)


    def fd_result(what, rc, err):
        if rc >= 0:
            os.close(rc)
            return False, "%s succeeded" % what
        return True, "%s: %s" % (what, errstr(err))


    def probe_io_uring():
        params = ctypes.create_string_buffer(120)
        rc, err = syscall("io_uring_setup", 1, params)
        return fd_result("io_uring_setup", rc, err)


    def probe_bpf():
        attr = ctypes.create_string_buffer(128)
        struct.pack_into("=IIII", attr, 0, 2, 4, 4, 1)  # an array map of one 4-byte entry
        rc, err = syscall("bpf", 0, attr, 128)
        return fd_result("bpf(BPF_MAP_CREATE)", rc, err)


    def probe_userfaultfd():
        results = []
        for flags, what in ((os.O_CLOEXEC, "userfaultfd()"),
                            (os.O_CLOEXEC | UFFD_USER_MODE_ONLY, "userfaultfd(UFFD_USER_MODE_ONLY)")):
            rc, err = syscall("userfaultfd", flags)
            results.append(fd_result(what, rc, err))
        return all(held for held, _ in results), "; ".join(d for _, d in results)


    def probe_perf():
        attr = ctypes.create_string_buffer(136)
        struct.pack_into("=IIQ", attr, 0, 1, 112, 0)  # PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK
        struct.pack_into("=Q", attr, 40, 1 | 32 | 64)  # disabled, exclude_kernel, exclude_hv
        rc, err = syscall("perf_event_open", attr, 0, -1, -1, 0)
        return fd_result("perf_event_open(own process, software clock)", rc, err)


    def probe_keyctl():
        rc, err = syscall("keyctl", 0, -4, 1)  # KEYCTL_GET_KEYRING_ID of the user keyring, creating it
        if rc >= 0:
            return False, "keyctl reached the user keyring (id %d)" % rc
        return True, "keyctl(KEYCTL_GET_KEYRING_ID, user keyring): %s" % errstr(err)


    def legacy_tiocsti():
        try:
            return "dev.tty.legacy_tiocsti=%s" % read_text("/proc/sys/dev/tty/legacy_tiocsti").strip()
        except OSError:
            return "dev.tty.legacy_tiocsti unreadable"


    def tiocsti_verdict(where, e):
        if e is None:
            return False, "TIOCSTI pushed a byte into %s" % where
        if e.errno == errno.EPERM:
            return True, "TIOCSTI on %s: %s" % (where, errstr(e.errno))
        if e.errno == errno.EIO:
            return True, "TIOCSTI on %s: %s: the kernel refuses it (%s)" % (where, errstr(e.errno), legacy_tiocsti())
        return False, ("TIOCSTI on %s: %s: nothing refused the request itself, so a terminal there could be "
                       "pushed input" % (where, errstr(e.errno)))


    def probe_tiocsti_stdin():
        try:
            fcntl.ioctl(0, TIOCSTI, b"\0")
            error = None
        except OSError as e:
            error = e
        held, detail = tiocsti_verdict("fd 0", error)
        if error is not None and error.errno == errno.ENOTTY:
            detail += " (ENOTTY only means stdin is not a terminal; a filter would answer EPERM)"
        return held, detail


    def probe_tiocsti_pty():
        try:
            master, slave = os.openpty()
        except OSError as e:
            return True, "openpty: %s" % errstr(e.errno)
        os.setsid()
        notes = ""
        try:
            fcntl.ioctl(slave, TIOCSCTTY, 0)
        except OSError as e:
            notes = " (TIOCSCTTY: %s)" % errstr(e.errno)
        try:
            fcntl.ioctl(slave, TIOCSTI, b"x")
            error = None
        except OSError as e:
            error = e
        held, detail = tiocsti_verdict("its own pty (controlling terminal)", error)
        return held, detail + notes


    # ---- privileges ----

    def status_fields():
        fields = {}
        for line in read_text("/proc/self/status").splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return fields


    def probe_no_new_privs():
        value = status_fields().get("NoNewPrivs")
        return value == "1", "NoNewPrivs: %s" % value


    def probe_capabilities():
        fields = status_fields()
        caps = {k: fields.get(k) for k in ("CapEff", "CapPrm", "CapBnd")}
        held = all(v is not None and int(v, 16) == 0 for v in caps.values())
        return held, ", ".join("%s %s" % kv for kv in caps.items())


    def probe_not_root():
        uid, euid = os.getuid(), os.geteuid()
        return euid != 0, "uid %d, euid %d" % (uid, euid)


    def probe_nosuid():
        rows, notes, held = mountinfo(), [], True
        for path in ("/", "/usr"):
            row = mount_of(path, rows)
            if row is None:
                notes.append("%s: no mount found" % path)
                held = False
                continue
            nosuid = "nosuid" in row["opts"]
            held = held and nosuid
            notes.append("%s on mount %s: %s" % (path, row["point"], "nosuid" if nosuid else "setuid allowed"))
        return held, "; ".join(notes)


    # ---- the list of attempts ----

    NETWORK = [
        ("network.tcp4.public", "cannot reach the network over TCP", probe_tcp4_public),
        ("network.udp4.public", "cannot exchange UDP datagrams with a public resolver", probe_udp4_public),
        ("network.tcp4.host_loopback", "cannot reach the host's loopback over TCP", probe_tcp4_loopback),
        ("network.udp4.host_loopback", "cannot exchange UDP datagrams with the host's loopback", probe_udp4_loopback),
        ("network.tcp6.host_loopback", "cannot reach the host's IPv6 loopback over TCP", probe_tcp6_loopback),
        ("network.tcp6.public", "cannot reach the network over IPv6", probe_tcp6_public),
        ("network.unix_socket", "cannot connect to the host's unix sockets by path", probe_unix_path),
        ("network.abstract_socket", "cannot connect to the host's abstract unix sockets", probe_unix_abstract),
    ]

    LOCAL = [
        ("network.interfaces", "sees no network interface but loopback", probe_interfaces),
        ("fs.write.slash", "cannot create files in /", lambda: create_in("/")),
        ("fs.write.usr", "cannot create files in /usr", lambda: create_in("/usr")),
        ("fs.write.etc", "cannot create files in /etc", lambda: create_in("/etc")),
        ("fs.write.root", "cannot create files in /root", lambda: create_in("/root")),
        ("fs.write.parent", "cannot create files beside its working directory",
         lambda: create_in(os.path.dirname(CWD.rstrip("/")) or "/")),
        ("fs.outside_path", "cannot see or change a host file outside the sandbox", probe_outside_path),
        ("fs.symlink.outside", "cannot write a host file through a symlink", probe_symlink_outside),
        ("fs.symlink.usr_bin", "cannot create files in /usr/bin through a symlink", probe_symlink_usr_bin),
        ("fs.hardlink.usr", "cannot hard-link a file from /usr into its working directory", probe_hardlink_usr),
        ("fs.rename.cwd", "cannot rename its working directory away", lambda: rename_away(CWD)),
        ("fs.rename.parent", "cannot rename the parent of its working directory away",
         lambda: rename_away(os.path.dirname(CWD.rstrip("/")) or "/")),
        ("fs.read.secrets", "cannot read host files outside the sandbox", probe_secrets),
        ("fs.list.root", "sees nothing of the host's /root but toolchains", probe_list_root),
        ("fs.list.home", "sees nothing of the host's /home", probe_list_home),
        ("fs.mounts.host_paths", "host paths appear nowhere in its mount table", probe_mounts),
        ("processes.visible", "cannot see host processes", probe_processes),
        ("processes.signal_engine", "cannot signal the engine", probe_signal_engine),
        ("env.canary", "cannot read the engine's environment", probe_environment),
        ("uts.hostname", "has a hostname of its own", probe_hostname),
        ("trace.ptrace_init", "cannot trace the sandbox's init process", probe_ptrace_init),
        ("trace.ptrace_child", "cannot trace its own child processes", probe_ptrace_child),
        ("ns.user", "cannot create user namespaces",
         unshare_attempt(CLONE_NEWUSER, "CLONE_NEWUSER")),
        ("ns.mount", "cannot create mount namespaces", unshare_attempt(CLONE_NEWNS, "CLONE_NEWNS")),
        ("mount.tmpfs", "cannot mount filesystems", probe_mount_tmpfs),
        ("syscall.io_uring", "cannot set up io_uring", probe_io_uring),
        ("syscall.bpf", "cannot use bpf", probe_bpf),
        ("syscall.userfaultfd", "cannot create userfaultfd objects", probe_userfaultfd),
        ("syscall.perf_event_open", "cannot open perf events", probe_perf),
        ("syscall.keyctl", "cannot reach the kernel keyrings", probe_keyctl),
        ("tty.tiocsti_stdin", "cannot push input into a terminal on stdin", probe_tiocsti_stdin),
        ("tty.tiocsti_pty", "cannot push input into a terminal, even a pty of its own",
         probe_tiocsti_pty),
        ("privs.no_new_privs", "cannot gain privileges through exec (no_new_privs)", probe_no_new_privs),
        ("privs.capabilities", "holds no capabilities", probe_capabilities),
        ("privs.not_root", "does not run as root", probe_not_root),
        ("privs.nosuid", "setuid programs cannot raise privileges (/ and /usr are nosuid)", probe_nosuid),
    ]


    def attempt(probe_id, promise, fn):
        # One row: fn run in a child of its own, which has WAIT to answer.
        try:
            pid, r = spawn(fn)
            held, detail = collect(pid, r, time.monotonic() + WAIT)
        except Exception as e:
            held, detail = False, "probe could not run: %s: %s" % (type(e).__name__, e)
        return {"id": probe_id, "promise": promise, "held": held, "detail": detail}


    def main():
        # Descriptors first, in this process, before anything below opens one.
        held, detail = outcome(probe_fds)
        emit({"id": "fds.inherited", "promise": "inherits no open descriptor besides stdin, stdout and stderr",
              "held": held, "detail": detail})

        # Network attempts run side by side, so their waits overlap; the rest one after another.
        started = []
        for probe_id, promise, fn in NETWORK:
            try:
                started.append((probe_id, promise, spawn(fn), None))
            except Exception as e:
                started.append((probe_id, promise, None, "probe could not run: %s: %s" % (type(e).__name__, e)))
        deadline = time.monotonic() + WAIT + 1.0
        for probe_id, promise, child, failure in started:
            held, detail = collect(child[0], child[1], deadline) if child else (False, failure)
            emit({"id": probe_id, "promise": promise, "held": held, "detail": detail})
        for probe in LOCAL:
            emit(attempt(*probe))
        cleanup()


    main()
    """#
}
