// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * run.c: the oracle's main loop (`sockfuzz kernel`): scenarios in the kernel,
 * recorded, replayed natively and compared, with a summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include "bpf/host/host.h"
#include "kernel.h"
#include "oracle.h"

/* What the workers share (a MAP_SHARED page): the next random run to take and
 * the connections made so far. Whichever worker is free takes the next run,
 * so they end together, one run apart at most; with a fixed share each, one
 * worker idled for up to a tenth of a campaign while the other finished its
 * runs, which cost more per connection. Run I is the same whoever takes it. */
struct run_shared {
	unsigned int next_run;
	unsigned long long connections;
};
_Static_assert(__atomic_always_lock_free(sizeof(unsigned long long), 0),
	       "atomics shared between processes need no lock");

struct run_ctx {
	const struct orc_opts *opts;
	unsigned int worker;
	struct run_shared *shared;
	int report_fd;		      /* where the sandboxed worker writes its summary */
	pid_t parent;		      /* the sandboxed worker's parent: gone means stop */
	struct orc_summary sum, sent; /* so far; and so far reported through report_fd */
	struct orc_kernel_run kr;     /* big: one, reused */
	struct orc_run life;	      /* the run being compared */
	struct sf_input raw, in;      /* what --out keeps of it, when it fits a fuzz input */
	struct orc_diff diff;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Save RUN as DIR/BASE.trace and DIR/BASE.bin, the corpus's pairs. */
static int save(const char *dir, const char *base, const struct sf_input *run)
{
	static __u8 buf[1 << 16];
	size_t n = sf_encode(run, buf, sizeof(buf));
	char path[512];
	FILE *f;
	int err;

	if (n > sizeof(buf))
		return -E2BIG;
	snprintf(path, sizeof(path), "%s/%s.bin", dir, base);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	err = fwrite(buf, 1, n, f) == n ? 0 : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	snprintf(path, sizeof(path), "%s/%s.trace", dir, base);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	err = err ?: sf_text_print(run, f);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Keep a run for the fuzzers: its recording as a raw run, and for random
 * scenarios the lifecycle run too (a corpus case is a seed already). A run
 * longer than a fuzz input holds is compared, not kept. */
static int keep(struct run_ctx *c, const char *name, bool random)
{
	const char *slash = strrchr(name, '/');
	char base[256], why[128];
	int err = 0;

	if (!orc_run__to_input(&c->life, &c->in) ||
	    orc_convert__input(&c->life, &c->kr, &c->raw, why, sizeof(why)))
		return 0;
	snprintf(base, sizeof(base), "kernel-%s", slash ? slash + 1 : name);
	base[strcspn(base, ".")] = '\0';
	if (random)
		err = save(c->opts->out_dir, base, &c->in);
	strncat(base, "-recorded", sizeof(base) - strlen(base) - 1);
	err = err ?: save(c->opts->out_dir, base, &c->raw);
	if (err)
		fprintf(stderr, "oracle: cannot write %s/%s: %s\n", c->opts->out_dir, base,
			strerror(-err));
	return err;
}

static void report(struct run_ctx *c, unsigned int nth, const char *name, const char *what,
		   const struct orc_diff *d)
{
	if (nth <= c->opts->max_reports)
		fprintf(stderr, "DIFF %s: %s (%u)\n%s\n", name, what, d->count, d->text);
}

/* One lifecycle run through the kernel and the comparisons. */
/* A recording that cannot be compared: for a corpus case a note (it says
 * what the kernel cannot carry); for a random run a failure, as the
 * generator makes only runs whose recording fits (scenario.c). */
static void unfit(struct run_ctx *c, const char *name, bool random, const char *why)
{
	if (random) {
		c->sum.unfit++;
		fprintf(stderr, "FAIL %s: a random run the comparison cannot carry: %s\n", name,
			why);
		return;
	}
	c->sum.inexpressible++;
	fprintf(stderr, "note %s: the recording is not expressible as one run: %s\n", name, why);
}

/* What the kernel reached in a run compared: a full auth ring, a full
 * probe ring, a full map (a refused update, or one at max_entries). */
static void note_states(struct run_ctx *c)
{
	const __u64 *cnt = c->kr.counters;

	/* Without km_counters the kernel's drops are not counted (ring fill is
	 * still compared, record by record). */
	c->sum.uncounted_runs += !c->kr.ncounters;

	c->sum.auth_full_runs += cnt[KM_CNT_AUTH_REQ_DROPPED] > 0;
	c->sum.probe_full_runs += cnt[KM_CNT_PROBE_DROPPED] > 0;
	c->sum.map_full_runs += cnt[KM_CNT_MAP_UPDATE_FAILED] > 0 ||
				c->kr.nmanage == ORC_MAX_ENTRIES || c->kr.nauth == ORC_MAX_ENTRIES;
	c->sum.auth_drops += cnt[KM_CNT_AUTH_REQ_DROPPED];
	c->sum.probe_drops += cnt[KM_CNT_PROBE_DROPPED];
	c->sum.map_failures += cnt[KM_CNT_MAP_UPDATE_FAILED];
}

static int one(struct run_ctx *c, struct orc_kernel *k, const char *name)
{
	struct orc_run *life = &c->life;
	bool random = !strncmp(name, "random-", 7);
	unsigned int conns = 0;
	char why[256] = "";
	bool final;
	int err, n;

	if (life->head.nfaults || life->head.level != SF_LEVEL_LIFECYCLE) {
		c->sum.inexpressible++;
		if (c->opts->verbose)
			fprintf(stderr, "skip %s: %s\n", name,
				life->head.nfaults
					? "a fault schedule cannot be injected into the kernel"
					: "raw steps cannot be carried out by the kernel");
		return 0;
	}
	err = orc_kernel__run(k, life, &c->kr);
	if (err)
		return err;
	c->sum.runs++;
	for (size_t i = 0; i < c->kr.nrecs; i++) /* established connections: op 4, client side */
		conns += c->kr.recs[i].op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB;
	c->sum.connections += conns;
	c->sum.callbacks += c->kr.nrecs;
	if (c->opts->verbose)
		orc_kernel_run__print(&c->kr, life, stderr);
	if (c->kr.lost) {
		snprintf(why, sizeof(why), "%llu records lost by the recorder",
			 (unsigned long long)c->kr.lost);
		unfit(c, name, random, why);
		return 0;
	}
	if (orc_compare_lifecycle(life, &c->kr, &c->diff, &final)) {
		c->sum.expansion_diffs++;
		report(c, c->sum.expansion_diffs, name,
		       final ? "the lifecycle expansion ends in another state than the kernel"
			     : "the lifecycle expansion differs from what the kernel fired",
		       &c->diff);
	}
	n = orc_compare_replay(life, &c->kr, &c->diff, why, sizeof(why));
	if (n < 0) {
		unfit(c, name, random, why);
		return 0;
	}
	if (n) {
		c->sum.replay_diffs++;
		report(c, c->sum.replay_diffs, name, "the native replay differs from the kernel",
		       &c->diff);
	}
	/* Records alike but for bytes the program never wrote: told apart. */
	if (c->diff.unwritten) {
		if (!c->sum.unwritten_runs++ && c->opts->max_reports)
			fprintf(stderr,
				"note %s: ring bytes the program never wrote differ "
				"(kernel and native differ by construction):\n%s",
				name, c->diff.unwritten_text);
		c->sum.unwritten_records += c->diff.unwritten;
	}
	/* Compared, both ways: the largest run and the states it reached. */
	if (c->kr.nrecs > c->sum.largest_callbacks) {
		c->sum.largest_callbacks = (unsigned int)c->kr.nrecs;
		c->sum.largest_connections = conns;
	}
	note_states(c);
	if (c->opts->out_dir)
		return keep(c, name, random);
	return 0;
}

/* Tell the parent what the runs since the last report added: one write of
 * less than PIPE_BUF, so a kill at any moment loses no run already counted
 * and splits no report. */
static int report_progress(struct run_ctx *c)
{
	struct orc_summary d = {
		.largest_connections = c->sum.largest_connections, /* a maximum, not a sum */
		.largest_callbacks = c->sum.largest_callbacks,
	};

#define SUM_DELTA(f) d.f = c->sum.f - c->sent.f;
	ORC_SUMMARY_SUMS(SUM_DELTA)
#undef SUM_DELTA
	_Static_assert(sizeof(d) <= PIPE_BUF, "a report is one atomic write");
	c->sent = c->sum;
	return write(c->report_fd, &d, sizeof(d)) == sizeof(d) ? 0 : -EIO;
}

static int in_sandbox(const struct kern_sandbox *sb, void *arg)
{
	struct run_ctx *c = arg;
	const struct orc_opts *o = c->opts;
	struct orc_kernel *k = orc_kernel__open(sb);
	double t0;
	int err = 0;

	if (!k)
		return ORC_ERROR;
	c->parent = getppid();
	t0 = now_s();
	for (size_t i = 0; !err && !c->worker && i < o->ncases; i++) {
		__u64 before = c->sum.connections;

		/* A copy: the kernel run fills in ephemeral ports. */
		orc_run__from_input(&c->life, o->cases[i].in);
		err = one(c, k, o->cases[i].name) ?: report_progress(c);
		__atomic_fetch_add(&c->shared->connections, c->sum.connections - before,
				   __ATOMIC_RELAXED);
	}
	while (!err &&
	       __atomic_load_n(&c->shared->connections, __ATOMIC_RELAXED) < o->connections) {
		unsigned int every = o->large_every ? o->large_every : ORC_LARGE_EVERY;
		__u64 before = c->sum.connections;
		unsigned int i;
		char name[64];

		if (getppid() != c->parent)
			break; /* orphaned: the parent-death signal is on its way */
		i = __atomic_fetch_add(&c->shared->next_run, 1, __ATOMIC_RELAXED);
		orc_random__build(o->seed, i, (i + 1) % every == 0, &c->life);
		snprintf(name, sizeof(name), "random-%llu-%u", (unsigned long long)o->seed, i);
		err = one(c, k, name) ?: report_progress(c);
		__atomic_fetch_add(&c->shared->connections, c->sum.connections - before,
				   __ATOMIC_RELAXED);
	}
	c->sum.seconds = now_s() - t0;
	orc_kernel__close(k);
	if (err)
		return ORC_ERROR;
	return c->sum.expansion_diffs || c->sum.replay_diffs || c->sum.unfit ? ORC_DIFFERED
									     : ORC_SAME;
}

/* How the parent takes the workers' reports (orc_run()). */
#define ORC_REPORT_PAUSE_NS 5000000   /* 5 ms between batches */
#define ORC_REPORT_PIPE	    (1 << 20) /* bytes the pipe holds: 5 ms of reports and far more */

static volatile sig_atomic_t stop_signal;
static pid_t workers[ORC_MAX_JOBS];
static unsigned int nworkers;

/* Pass a stop on to the workers: each one's sandbox cleans up after itself. */
static void on_stop(int sig)
{
	stop_signal = sig;
	for (unsigned int i = 0; i < nworkers; i++)
		if (workers[i] > 0)
			kill(workers[i], sig);
}

/* One worker: its own sandbox (network namespace, cgroup, program). */
static pid_t start_worker(struct run_ctx *c, const struct kern_sandbox_opts *sb, int report_fd)
{
	pid_t parent = getpid(), pid = fork();
	int rc;

	if (pid)
		return pid;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* Die with `sockfuzz kernel`, even SIGKILLed: SIGTERM, which the
	 * sandbox takes to kill its child and remove its cgroup and program. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
		_exit(ORC_ERROR);
	c->report_fd = report_fd;
	/* Differences go through the pipe; a run that could not be carried
	 * out (ORC_ERROR) or a sandbox that failed is this worker's error. */
	rc = kern_sandbox__run(sb, in_sandbox, c);
	_exit(rc < 0 || rc == ORC_ERROR ? ORC_ERROR : ORC_SAME);
}

/* Whether DIR refuses a file (tried, not asked: root passes access(2) on a
 * read-only file system); says why. */
static bool out_dir_unwritable(const char *dir)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/.sockfuzz-probe-%d", dir, (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "oracle: cannot write to --out %s: %s\n", dir, strerror(errno));
		return true;
	}
	close(fd);
	unlink(path);
	return false;
}

enum orc_status orc_run(const struct orc_opts *opts)
{
	struct kern_addr addrs[8];
	/* No wall limit: a campaign ends by its connections, a signal or its parent's death. */
	struct kern_sandbox_opts sb = {.sz = sizeof(sb), .timeout_ms = INT_MAX};
	struct orc_summary total = {0}, part;
	static __u8 batch[64 * sizeof(struct orc_summary)];
	struct sigaction sa = {.sa_handler = on_stop};
	struct run_ctx *c;
	struct run_shared *shared;
	enum orc_status rc = ORC_SAME;
	int fds[2], status;
	unsigned int jobs;
	char why[256];
	double t0;

	if (kern_env__check(why, sizeof(why))) {
		fprintf(stderr, "SKIP: the kernel oracle cannot run here: %s\n", why);
		return ORC_SKIPPED;
	}
	if (opts->out_dir && out_dir_unwritable(opts->out_dir))
		return ORC_ERROR;
	for (size_t i = 0; i < orc_nipv6_addrs && i < 8; i++)
		kern_addr__parse(&addrs[i], orc_ipv6_addrs[i], 0);
	sb.addrs = addrs;
	sb.addr_cnt = orc_nipv6_addrs;
	c = calloc(1, sizeof(*c));
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (!c || shared == MAP_FAILED || pipe(fds)) {
		free(c);
		if (shared != MAP_FAILED)
			munmap(shared, sizeof(*shared));
		return ORC_ERROR;
	}
	c->shared = shared; /* zeroed: run 0 first, no connections yet */
	c->opts = opts;
	jobs = opts->jobs ? opts->jobs : (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	jobs = jobs < 1 ? 1 : jobs > ORC_MAX_JOBS ? ORC_MAX_JOBS : jobs;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fflush(NULL);
	t0 = now_s();
	for (nworkers = 0; nworkers < jobs && !stop_signal; nworkers++) {
		c->worker = nworkers;
		workers[nworkers] = start_worker(c, &sb, fds[1]);
		if (workers[nworkers] < 0)
			rc = ORC_ERROR;
	}
	close(fds[1]);
	/* Each sandboxed worker reports after every run; the pipe ends when all
	 * are gone. The reports are taken a batch at a time, every
	 * ORC_REPORT_PAUSE_NS: a reader woken by every report would preempt a
	 * worker twice a run. The pipe holds them meanwhile (a full pipe makes a
	 * worker wait, and nothing is lost). */
	fcntl(fds[0], F_SETPIPE_SZ, ORC_REPORT_PIPE);
	for (size_t have = 0, used = 0;;) {
		const struct timespec pause = {.tv_nsec = ORC_REPORT_PAUSE_NS};
		ssize_t n;

		if (used == have) {
			used = have = 0;
			if (stop_signal == 0)
				nanosleep(&pause, NULL); /* EINTR: a stop, read on at once */
			n = read(fds[0], batch, sizeof(batch));
			if (n < 0 && errno == EINTR)
				continue; /* a stop signal: the workers are ending, keep what they say */
			if (n <= 0)
				break;
			have = (size_t)n;
		}
		if (have - used < sizeof(part)) {
			/* Reports are written whole (< PIPE_BUF): the rest of one follows. */
			memmove(batch, batch + used, have - used);
			have -= used;
			used = 0;
			n = read(fds[0], batch + have, sizeof(batch) - have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			have += (size_t)n;
			continue;
		}
		memcpy(&part, batch + used, sizeof(part));
		used += sizeof(part);
#define SUM_ADD(f) total.f += part.f;
		ORC_SUMMARY_SUMS(SUM_ADD)
#undef SUM_ADD
		if (part.largest_callbacks > total.largest_callbacks) {
			total.largest_callbacks = part.largest_callbacks;
			total.largest_connections = part.largest_connections;
		}
	}
	close(fds[0]);
	for (unsigned int i = 0; i < nworkers; i++) {
		while (workers[i] > 0 && waitpid(workers[i], &status, 0) < 0 && errno == EINTR)
			;
		if (workers[i] > 0 && (!WIFEXITED(status) || WEXITSTATUS(status)))
			rc = ORC_ERROR;
	}
	total.seconds = now_s() - t0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	free(c);
	munmap(shared, sizeof(*shared));
	orc_summary__print(&total, jobs, stdout);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "oracle: cannot write the summary: %s\n", strerror(errno));
		return ORC_ERROR;
	}
	if (stop_signal)
		return ORC_STOPPED_BASE + stop_signal;
	if (rc != ORC_SAME)
		return rc;
	return total.expansion_diffs || total.replay_diffs || total.unfit ? ORC_DIFFERED : ORC_SAME;
}

void orc_kernel_run__print(const struct orc_kernel_run *kr, const struct orc_run *life, FILE *out)
{
	static __u64 cookies[ORC_MAX_RECS];
	size_t n = 0;

	for (size_t i = 0; i < kr->nrecs; i++) {
		const struct km_rec *r = &kr->recs[i];
		const char *op = sf_op_name(r->op), *st = sf_state_name(r->state);
		size_t s;

		for (s = 0; s < n && cookies[s] != r->cookie; s++)
			;
		if (s == n)
			cookies[n++] = r->cookie;
		fprintf(out,
			"  step %u (%s): socket #%zu %s family %u op %u%s%s args %u,%u state %u%s%s\n",
			kr->rec_step[i], sf_kind_name(life->steps[kr->rec_step[i]].kind), s,
			r->is_fullsock ? "full" : "request", r->family, r->op, op ? " " : "",
			op ? op : "", r->args[0], r->args[1], r->state, st ? " " : "",
			st ? st : "");
	}
}

void orc_summary__print(const struct orc_summary *s, unsigned int jobs, FILE *out)
{
	double rate = s->seconds > 0 ? s->connections / s->seconds : 0;

	fprintf(out,
		"kernel oracle: %u runs, %llu connections, %llu callbacks in %.2f s on %u cores "
		"(%.0f connections/s recorded, replayed and compared)\n"
		"  expansion differences: %u, replay differences: %u, not expressible: %u "
		"(random runs: %u); the largest run compared: %u connections, %u callbacks\n"
		"  compared in the kernel: a full auth ring in %u runs (%llu requests dropped), "
		"a full probe ring in %u (%llu records dropped), a full map in %u (%llu updates "
		"refused)\n",
		s->runs, (unsigned long long)s->connections, (unsigned long long)s->callbacks,
		s->seconds, jobs, rate, s->expansion_diffs, s->replay_diffs,
		s->inexpressible + s->unfit, s->unfit, s->largest_connections, s->largest_callbacks,
		s->auth_full_runs, s->auth_drops, s->probe_full_runs, s->probe_drops,
		s->map_full_runs, s->map_failures);
	if (s->uncounted_runs)
		fprintf(out,
			"  (%u runs of a program without km_counters: its drops and refused updates "
			"are not counted above, only compared record by record and entry by entry)\n",
			s->uncounted_runs);
	if (s->unwritten_records)
		fprintf(out,
			"  records with bytes the program never wrote: %llu in %u runs (natively "
			"0x%02x, in the kernel earlier ring memory: differ by construction, not "
			"counted as differences; SPEC §9 (d))\n",
			s->unwritten_records, s->unwritten_runs, HOST_RING_POISON);
}
