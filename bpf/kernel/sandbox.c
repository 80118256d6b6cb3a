// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sandbox.c: run a function in a child with its own network namespace and
 * cgroup, and leave nothing behind (SPEC §10).
 *
 * The parent owns the cleanup and never enters either: it makes the cgroup,
 * forks, waits on a pidfd (bounded; signals interrupt the wait), kills what is
 * left through cgroup.kill, waits for cgroup.events to say "populated 0" and
 * removes the cgroup. The namespace is never pinned, so it dies with the
 * child. The child dies with the parent (PR_SET_PDEATHSIG), so even a
 * SIGKILLed parent leaves only an empty cgroup, which the next run removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "kernel_internal.h"

#define SANDBOX_PREFIX "sockfuzz-"
/* How long the parent waits for a killed cgroup to empty. */
#define SANDBOX_DRAIN_MS 5000

struct kern_sandbox {
	char cgroup[PATH_MAX];
	const struct kern_addr *addrs; /* what lo gets in each namespace */
	size_t addr_cnt;
};

/* The thread that entered the sandbox's namespace (a namespace belongs to a
 * thread), or 0: to tell inside from outside. */
static pid_t sandbox_tid;

/* Parent side: the child to kill when a signal asks us to stop. */
static volatile sig_atomic_t sandbox_child;
static volatile sig_atomic_t sandbox_stop;

static const int sandbox_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define SANDBOX_NSIG (sizeof(sandbox_signals) / sizeof(sandbox_signals[0]))

const char *kern_sandbox__cgroup(const struct kern_sandbox *sb)
{
	return sb->cgroup;
}

/* Asked before every connect, so it must be cheap: the namespace is entered
 * (and renewed) only through this file, so being the thread that did it says
 * it all; another thread or a forked process answers false, which only
 * refuses. */
bool kern_sandbox__is_inside(void)
{
	return sandbox_tid && gettid() == sandbox_tid;
}

static void sandbox_on_signal(int sig)
{
	sandbox_stop = sig;
	if (sandbox_child > 0)
		kill(sandbox_child, SIGKILL);
}

/* Write the string VAL to DIR/FILE (a cgroup interface file). */
static int cgroup_write(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX + 32];
	int fd, err = 0;
	ssize_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != len)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

/* Whether the cgroup.events file EVENTS_FD says "populated 1"; -errno when unreadable. */
static int cgroup_populated(int events_fd)
{
	char buf[256];
	ssize_t n = pread(events_fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return strstr(buf, "populated 1") != NULL;
}

/* Kill everything left in DIR, wait (bounded, on cgroup.events, which polls
 * POLLPRI on every change) until it is empty, and remove it; warn if it stays. */
static void cgroup_remove(const char *dir)
{
	__u64 deadline = kern_now_ms() + SANDBOX_DRAIN_MS;
	char path[PATH_MAX + 32];
	struct pollfd pfd = {.events = POLLPRI};
	int rounds;

	/* cgroup.kill (5.14+) reaches processes the child may have forked. */
	cgroup_write(dir, "cgroup.kill", "1");
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	pfd.fd = open(path, O_RDONLY | O_CLOEXEC);
	for (rounds = 0; pfd.fd >= 0 && rounds < KERN_WAIT_MAX_ROUNDS; rounds++) {
		if (cgroup_populated(pfd.fd) <= 0 || !kern_ms_left(deadline))
			break;
		poll(&pfd, 1, kern_ms_left(deadline));
	}
	if (pfd.fd >= 0)
		close(pfd.fd);
	if (rmdir(dir))
		kern_warn("cannot remove cgroup %s: %s\n", dir, strerror(errno));
}

/* Whether PID is a running process: a zombie is not (a SIGKILLed owner whose
 * new parent has not reaped it yet uses no cgroup). */
static bool pid_running(int pid)
{
	char path[64], stat[256], *paren;
	ssize_t n;
	int fd;

	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return true;
	stat[n] = '\0';
	paren = strrchr(stat, ')'); /* "pid (comm) S ...": comm may hold anything */
	return !paren || paren[1] != ' ' || paren[2] != 'Z';
}

/* Remove empty sockfuzz-<pid>-<n> cgroups whose owner is gone: what a
 * SIGKILLed parent leaves. A live or populated one is left alone. */
static void cgroup_sweep(const char *root)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int n;
	DIR *d;
	int pid;

	d = opendir(root);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, SANDBOX_PREFIX "%d-%u", &pid, &n) != 2 || pid <= 0)
			continue;
		if (pid == getpid() || pid_running(pid))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", root, de->d_name) < (int)sizeof(path))
			rmdir(path);
	}
	closedir(d);
}

/* Make ROOT/sockfuzz-<pid>-<n>: the pid keeps concurrent runs apart, n
 * several sandboxes of one process. */
static int cgroup_create(const char *root, char *dir, size_t len)
{
	static unsigned int seq;
	int tries, n;

	for (tries = 0; tries < 100; tries++) {
		n = snprintf(dir, len, "%s/" SANDBOX_PREFIX "%d-%u", root, getpid(), seq++);
		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
		if (!mkdir(dir, 0755))
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int kern_sandbox__renew_netns(const struct kern_sandbox *sb, const struct kern_addr *extra,
			      size_t cnt)
{
	struct kern_addr all[KERN_NETNS_MAX_ADDRS];
	int err;

	sandbox_tid = 0; /* outside until the new namespace is set up */
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		kern_warn("unshare(CLONE_NEWNET): %s\n", strerror(-err));
		return err;
	}
	if (sb->addr_cnt + cnt > KERN_NETNS_MAX_ADDRS)
		return -E2BIG;
	if (sb->addr_cnt)
		memcpy(all, sb->addrs, sb->addr_cnt * sizeof(*all));
	if (cnt)
		memcpy(all + sb->addr_cnt, extra, cnt * sizeof(*all));
	err = kern_netns__setup(all, sb->addr_cnt + cnt);
	if (err) {
		kern_warn("cannot set up lo in the namespace: %s\n", strerror(-err));
		return err;
	}
	/* Connects are allowed in this namespace, and only here. */
	sandbox_tid = gettid();
	return 0;
}

/* In the child: join the cgroup, then a new network namespace. */
static int sandbox_enter(const struct kern_sandbox *sb)
{
	char pid[16];
	int err;

	snprintf(pid, sizeof(pid), "%d", getpid());
	err = cgroup_write(sb->cgroup, "cgroup.procs", pid);
	if (err) {
		kern_warn("cannot join cgroup %s: %s\n", sb->cgroup, strerror(-err));
		return err;
	}
	return kern_sandbox__renew_netns(sb, NULL, 0);
}

static __attribute__((noreturn)) void sandbox_child_main(const struct kern_sandbox *sb,
							 const struct kern_sandbox_opts *opts,
							 kern_sandbox_fn fn, void *ctx,
							 pid_t parent, int status_fd)
{
	int err;

	/* Die with the parent: it is the one that cleans up. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	err = sandbox_enter(sb);
	/* The parent reads this after the child is gone: 0, or why setup failed. */
	if (write(status_fd, &err, sizeof(err)) != sizeof(err) || err)
		_exit(127);
	close(status_fd);
	exit(fn(sb, ctx) & 0xff);
}

/* Wait until CHILD exits, the deadline passes or a signal asks us to stop,
 * then make sure it is dead and reap it. Returns the wait status, or -errno.
 * Waits on a pidfd (5.3+); without one the child is killed at once. */
static int sandbox_wait(pid_t child, int timeout_ms, bool *timed_out)
{
	__u64 deadline = kern_now_ms() + timeout_ms;
	struct pollfd pfd = {.events = POLLIN};
	bool exited = false;
	int status, rounds;

	pfd.fd = syscall(SYS_pidfd_open, child, 0);
	for (rounds = 0; pfd.fd >= 0 && rounds < KERN_WAIT_MAX_ROUNDS && !sandbox_stop; rounds++) {
		int left = kern_ms_left(deadline), n;

		if (!left)
			break;
		n = poll(&pfd, 1, left);
		exited = n > 0;
		if (exited || (n < 0 && errno != EINTR))
			break;
	}
	if (pfd.fd >= 0)
		close(pfd.fd);
	*timed_out = !exited && !sandbox_stop && !kern_ms_left(deadline);
	/* Anything but an exit: make the reaping below bounded. */
	if (!exited)
		kill(child, SIGKILL);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

static bool sandbox_opts_valid(const struct kern_sandbox_opts *opts)
{
	size_t used = offsetof(struct kern_sandbox_opts, kern_sandbox_opts__last_field) +
		      sizeof(opts->kern_sandbox_opts__last_field);
	size_t i;

	if (!opts)
		return true;
	if (opts->sz < used)
		return false;
	/* A newer caller's fields we do not know must be zero (libbpf's OPTS_VALID). */
	for (i = sizeof(*opts); i < opts->sz; i++)
		if (((const char *)opts)[i])
			return false;
	return true;
}

/* Handle the stop signals in the parent, keeping the old dispositions in
 * OLD. A signal the caller ignores (a shell's background job ignores SIGINT)
 * stays ignored. */
static void signals_take(struct sigaction old[SANDBOX_NSIG])
{
	struct sigaction sa = {.sa_handler = sandbox_on_signal};
	size_t i;

	for (i = 0; i < SANDBOX_NSIG; i++) {
		sigaction(sandbox_signals[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(sandbox_signals[i], &sa, NULL);
	}
}

static void signals_give_back(const struct sigaction old[SANDBOX_NSIG])
{
	size_t i;

	for (i = 0; i < SANDBOX_NSIG; i++)
		sigaction(sandbox_signals[i], &old[i], NULL);
}

/* What kern_sandbox__run() returns for a reaped child. */
static int sandbox_result(int status, bool timed_out, int setup_err, int timeout_ms)
{
	if (status < 0)
		return status;
	if (sandbox_stop)
		return -EINTR;
	if (timed_out) {
		kern_warn("sandbox child killed after %d ms\n", timeout_ms);
		return -ETIMEDOUT;
	}
	if (setup_err)
		return setup_err;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	kern_warn("sandbox child killed by signal %d\n", WTERMSIG(status));
	return -ECHILD;
}

/* Fork the child with the stop signals blocked across fork(), so that none
 * can end the parent between making the cgroup and cleaning it up. Returns
 * the child's pid or -errno. */
static pid_t sandbox_fork(const struct kern_sandbox *sb, const struct kern_sandbox_opts *opts,
			  kern_sandbox_fn fn, void *ctx, const struct sigaction old[SANDBOX_NSIG],
			  int pipefd[2])
{
	pid_t child, parent = getpid();
	sigset_t block, saved;
	size_t i;

	sigemptyset(&block);
	for (i = 0; i < SANDBOX_NSIG; i++)
		sigaddset(&block, sandbox_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	fflush(NULL);
	child = fork();
	if (child == 0) {
		close(pipefd[0]);
		signals_give_back(old);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		sandbox_child_main(sb, opts, fn, ctx, parent, pipefd[1]);
	}
	if (child < 0)
		child = -errno;
	sandbox_child = child;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return child;
}

int kern_sandbox__run(const struct kern_sandbox_opts *opts, kern_sandbox_fn fn, void *ctx)
{
	int timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : KERN_SANDBOX_TIMEOUT_MS;
	int err, status, pipefd[2], setup_err;
	struct sigaction old[SANDBOX_NSIG];
	struct kern_sandbox sb;
	char root[PATH_MAX];
	bool timed_out;
	pid_t child;

	if (!sandbox_opts_valid(opts))
		return -EINVAL;
	if (opts && opts->cgroup_root)
		snprintf(root, sizeof(root), "%s", opts->cgroup_root);
	else if ((err = kern_env__cgroup2_root(root, sizeof(root))))
		return err;
	cgroup_sweep(root);
	sb.addrs = opts ? opts->addrs : NULL;
	sb.addr_cnt = opts ? opts->addr_cnt : 0;
	err = cgroup_create(root, sb.cgroup, sizeof(sb.cgroup));
	if (err) {
		kern_warn("cannot create a cgroup under %s: %s\n", root, strerror(-err));
		return err;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		err = -errno;
		cgroup_remove(sb.cgroup);
		return err;
	}

	sandbox_stop = 0;
	signals_take(old);
	child = sandbox_fork(&sb, opts, fn, ctx, old, pipefd);
	close(pipefd[1]);
	if (child < 0) {
		err = child;
	} else {
		status = sandbox_wait(child, timeout_ms, &timed_out);
		/* The child is gone: this cannot block. */
		if (read(pipefd[0], &setup_err, sizeof(setup_err)) != sizeof(setup_err))
			setup_err = -ECHILD;
		err = sandbox_result(status, timed_out, setup_err, timeout_ms);
	}
	close(pipefd[0]);
	/* Before the old handlers return: a second Ctrl-C must not stop the removal. */
	cgroup_remove(sb.cgroup);
	signals_give_back(old);
	sandbox_child = 0;
	return err;
}
