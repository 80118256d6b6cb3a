// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * env.c: can the kernel be used as an oracle here, and if not, why not.
 */
#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include "kernel_internal.h"

int kern_env__cgroup2_root(char *buf, size_t len)
{
	struct mntent *m;
	int err = -ENOENT;
	FILE *f;

	f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2"))
			continue;
		err = strlen(m->mnt_dir) < len ? 0 : -ENAMETOOLONG;
		if (!err)
			strcpy(buf, m->mnt_dir);
		break;
	}
	endmntent(f);
	return err;
}

/* Whether this process may make a network namespace: try it in a child. */
static int env_try_netns(void)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) ? errno : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -ECHILD;
}

int kern_env__check(char *why, size_t len)
{
	char root[PATH_MAX];
	int err;

	if (geteuid() != 0) {
		snprintf(why, len, "not root (bpf, cgroups and namespaces need it)");
		return -EPERM;
	}
	if (kern_env__cgroup2_root(root, sizeof(root))) {
		snprintf(why, len, "no cgroup2 mount in /proc/self/mounts");
		return -ENOENT;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, len, "no kernel BTF at /sys/kernel/btf/vmlinux");
		return -ENOENT;
	}
	/* 1: supported, 0: not, < 0: the bpf() syscall itself failed. */
	err = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SOCK_OPS, NULL);
	if (err <= 0) {
		err = err ?: -EOPNOTSUPP;
		snprintf(why, len, "bpf() refused a sockops program: %s", strerror(-err));
		return err;
	}
	err = env_try_netns();
	if (err) {
		snprintf(why, len, "unshare(CLONE_NEWNET) refused: %s", strerror(-err));
		return err;
	}
	snprintf(why, len, "kernel tests can run (cgroup2 at %s)", root);
	return 0;
}
