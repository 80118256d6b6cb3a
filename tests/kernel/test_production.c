// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_production.c: the production object in the kernel (issue 9, item 4).
 *
 *   test_production [--seed N] [--runs N] FILE.trace...
 *
 * Linked with bpf/kernel's own library, whose embedded object is
 * core/sockops.bpf.c alone (no recording): the lifecycle runs FILE... and N
 * random ones from seed N are carried out with real sockets in one sandbox
 * (private network namespace and cgroup, the program attached there), and
 * each run's final state (km_manage, km_auth_res, km_socket, auth requests,
 * probe records without their times, counters) is compared with the native
 * expansion's (orc_compare_final). The same runs under the recording build
 * fire the expansion's callbacks with its contexts (sockfuzz kernel), so a
 * difference here is one the recording build would hide.
 *
 * Exit: 0 no difference, 1 a difference, 2 an error, 77 no kernel (SKIP).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel.h"
#include "oracle/oracle.h"

struct job {
	char **files;
	int nfiles;
	__u64 seed;
	unsigned int runs;
	unsigned int done, differed, skipped;
};

static struct sf_input *load(const char *path)
{
	static char text[1 << 16];
	static struct sf_input in;
	struct sf_text_error err;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (sf_text_parse(text, n, &in, &err)) {
		fprintf(stderr, "%s:%u: %s\n", path, err.line, err.msg);
		return NULL;
	}
	return &in;
}

/* One run in the kernel and its comparison; -errno when it could not run. */
static int one(struct orc_kernel *k, struct job *j, struct orc_run *in, const char *name)
{
	static struct orc_kernel_run kr;
	static struct orc_diff d;
	int err;

	if (in->head.nfaults || in->head.level != SF_LEVEL_LIFECYCLE) {
		j->skipped++; /* what the kernel cannot carry out (a fault schedule, raw steps) */
		return 0;
	}
	err = orc_kernel__run(k, in, &kr);
	if (err)
		return err;
	j->done++;
	if (orc_compare_final(in, &kr, &d)) {
		j->differed++;
		fprintf(stderr, "DIFF %s: the production object's final state differs (%u)\n%s\n",
			name, d.count, d.text);
	}
	return 0;
}

static int in_sandbox(const struct kern_sandbox *sb, void *arg)
{
	struct job *j = arg;
	struct orc_kernel *k = orc_kernel__open(sb);
	int err = 0;

	if (!k)
		return 2;
	static struct orc_run run;

	for (int i = 0; !err && i < j->nfiles; i++) {
		struct sf_input *in = load(j->files[i]);

		if (in)
			orc_run__from_input(&run, in);
		err = in ? one(k, j, &run, j->files[i]) : -EINVAL;
	}
	for (unsigned int i = 0; !err && i < j->runs; i++) {
		char name[64];

		orc_random__build(j->seed, i, (i + 1) % ORC_LARGE_EVERY == 0, &run);
		snprintf(name, sizeof(name), "random-%llu-%u", (unsigned long long)j->seed, i);
		err = one(k, j, &run, name);
	}
	orc_kernel__close(k);
	printf("production object: %u runs (%u skipped), %u with a different final state\n",
	       j->done, j->skipped, j->differed);
	return err ? 2 : j->differed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct kern_sandbox_opts sb = {.sz = sizeof(sb)};
	struct kern_addr addrs[8];
	struct job j = {.seed = 1, .runs = 200};
	char why[256];
	int i, rc;

	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			j.seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--runs"))
			j.runs = (unsigned int)strtoul(argv[i + 1], NULL, 0);
		else
			break;
	}
	if (j.runs > 100000) {
		fprintf(stderr, "usage: test_production [--seed N] [--runs N<=100000] FILE...\n");
		return 2;
	}
	j.files = argv + i;
	j.nfiles = argc - i;
	if (kern_env__check(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	for (size_t a = 0; a < orc_nipv6_addrs && a < 8; a++)
		kern_addr__parse(&addrs[a], orc_ipv6_addrs[a], 0);
	sb.addrs = addrs;
	sb.addr_cnt = orc_nipv6_addrs < 8 ? orc_nipv6_addrs : 8;
	fflush(NULL);
	rc = kern_sandbox__run(&sb, in_sandbox, &j);
	return rc < 0 ? 2 : rc;
}
