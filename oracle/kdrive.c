// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kdrive.c: carry out a lifecycle run with real sockets, under the recording
 * build, and collect what the kernel did (oracle.h): the program, the run
 * loop, the recording and the final observables. The steps' handlers are in
 * kdrive_steps.c, the run's addresses on lo in kdrive_net.c (kdrive.h).
 *
 * Runs inside a kern_sandbox: a private network namespace whose cgroup has
 * the recording program attached. Every wait is bounded, and ends as soon as
 * what it waits for has happened.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kdrive.h"
#include "input/steps.h"

/* Member NAME of struct STRUCT_NAME in BTF: its byte offset, or DEF. */
static size_t kd_member_off(const struct btf *btf, const char *struct_name, const char *name,
			    size_t def)
{
	__s32 id = btf ? btf__find_by_name_kind(btf, struct_name, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name) && !(m->offset % 8))
			return m->offset / 8;
	return def;
}

/* The rings a run keeps (every ring buffer map but the recorder's), and the
 * layout of an auth request: the program's BTF, else SPEC §6's record. */
static void kd_find_rings(struct orc_kernel *k, struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF ||
		    !strcmp(bpf_map__name(map), "km_record"))
			continue;
		if (k->nrings == ORC_MAX_RINGS) {
			fprintf(stderr, "oracle: ring %s not compared: more than %d rings\n",
				bpf_map__name(map), ORC_MAX_RINGS);
			continue;
		}
		k->rings[k->nrings++] = map;
	}
	k->auth_type_off =
		kd_member_off(btf, "km_auth_req", "type", offsetof(struct km_auth_req, type));
	k->auth_tuple_off =
		kd_member_off(btf, "km_auth_req", "tuple", offsetof(struct km_auth_req, tuple));
}

static kern_ring_sink kd_rec_sink;

struct orc_kernel *orc_kernel__open(const struct kern_sandbox *sb)
{
	struct orc_kernel *k = calloc(1, sizeof(*k));
	struct bpf_object *obj;
	struct bpf_map *rec;
	int err;

	if (!k)
		return NULL;
	for (int i = 0; i < SF_NSLOTS; i++)
		k->slots[i].fd = -1;
	k->runs_at_take = ~0ull;
	k->sb = sb;
	k->prog = kern_prog__load();
	if (!k->prog)
		goto fail_errno;
	obj = kern_prog__object(k->prog);
	rec = bpf_object__find_map_by_name(obj, "km_record");
	k->seq = kern_prog__global(k->prog, "km_record_seq", NULL);
	k->dropped = kern_prog__global(k->prog, "km_record_dropped", NULL);
	if (!rec && !k->seq && !k->dropped) {
		/* The production object (core/ alone): the run records no
		 * callback; its final state is all there is to compare. */
		k->seq = &k->no_drops;
		k->dropped = &k->no_drops;
	} else if (!rec || !k->seq || !k->dropped) {
		fprintf(stderr, "oracle: the loaded object is neither the recording build nor "
				"the production object\n");
		errno = ENOENT;
		goto fail;
	} else {
		k->rec_ring = kern_ring__new(bpf_map__fd(rec), sizeof(struct km_rec));
		if (!k->rec_ring)
			goto fail_errno;
		kern_ring__set_sink(k->rec_ring, kd_rec_sink, k);
	}
	kd_find_rings(k, obj);
	err = kern_prog__attach(k->prog, kern_sandbox__cgroup(sb));
	if (err) {
		errno = -err;
		goto fail;
	}
	return k;
fail_errno:
	fprintf(stderr, "oracle: cannot load the program: %s\n", strerror(errno));
fail:
	err = errno;
	orc_kernel__close(k);
	errno = err;
	return NULL;
}

void orc_kernel__close(struct orc_kernel *k)
{
	if (!k)
		return;
	for (int i = 0; i < SF_NSLOTS; i++)
		kd_close_slot(&k->slots[i]);
	kern_ring__free(k->rec_ring);
	kern_prog__destroy(k->prog);
	free(k);
}

/* ---- collecting the recording ---- */

/* A record of the recorder, straight from the ring into the run being
 * collected (kd_collect()), or dropped between runs (kd_clear()). */
static void kd_rec_sink(void *ctx, const void *data, size_t size)
{
	struct orc_kernel *k = ctx;
	struct orc_kernel_run *out = k->rec_out;

	if (!out)
		return;
	if (out->nrecs == ORC_MAX_RECS) {
		out->lost++;
		return;
	}
	out->rec_step[out->nrecs] = k->rec_step;
	memcpy(&out->recs[out->nrecs++], data, size); /* the reader's size: km_rec's */
}

/* Take the records the callbacks of step STEP wrote. They are written inside
 * the syscalls (loopback delivers in the same softirq), so nothing waits. */
static int kd_collect(struct orc_kernel *k, __u16 step, struct orc_kernel_run *out)
{
	int n;

	if (!k->rec_ring)
		return 0; /* the production object */
	k->rec_out = out;
	k->rec_step = step;
	n = kern_ring__poll(k->rec_ring, 0, 0);
	k->rec_out = NULL;
	return n < 0 ? n : 0;
}

/* The kept records of the program's ring MAP in OUT (made on first use). */
static struct orc_ring *kd_ring_out(struct orc_kernel_run *out, const struct bpf_map *map)
{
	const char *name = bpf_map__name(map);
	size_t i;

	for (i = 0; i < out->nrings; i++)
		if (!strncmp(out->rings[i].name, name, sizeof(out->rings[i].name)))
			return &out->rings[i];
	if (i == ORC_MAX_RINGS)
		return NULL; /* said once, when the program was opened */
	out->nrings++;
	snprintf(out->rings[i].name, sizeof(out->rings[i].name), "%s", name);
	out->rings[i].n = 0;
	return &out->rings[i];
}

/* Take what the program's ring MAP holds into OUT, each record with its
 * length; an auth request also into OUT's answerable requests. */
static int kd_take_ring(struct orc_kernel *k, const struct bpf_map *map, struct orc_kernel_run *out)
{
	struct kern_ring *r = kern_prog__ring_of(k->prog, map);
	struct orc_ring *o = kd_ring_out(out, map);
	bool auth = map == kern_prog__map_ring(k->prog, KERN_RING_AUTH_REQ);
	int n = r ? kern_ring__poll(r, 0, 0) : -errno;

	if (n < 0)
		return n;
	for (size_t i = 0; i < kern_ring__count(r); i++) {
		size_t len;
		const __u8 *rec = kern_ring__record(r, i, &len);

		if (o && o->n < ORC_MAX_RING) {
			o->len[o->n] = (__u16)(len < 0xffff ? len : 0xffff);
			memcpy(o->rec[o->n], rec, len < ORC_MAX_REC ? len : ORC_MAX_REC);
			o->n++;
		}
		if (auth && out->nauth_reqs < ORC_MAX_RING &&
		    k->auth_tuple_off + sizeof(struct bpf_sock_tuple) <= len) {
			struct km_auth_req *q = &out->auth_reqs[out->nauth_reqs++];

			memset(q, 0, sizeof(*q));
			memcpy(&q->type, rec + k->auth_type_off, sizeof(q->type));
			memcpy(&q->tuple, rec + k->auth_tuple_off, sizeof(q->tuple));
		}
	}
	kern_ring__clear(r);
	return 0;
}

int kd_take_auth_reqs(struct orc_kernel *k, struct orc_kernel_run *out)
{
	const struct bpf_map *m = kern_prog__map_ring(k->prog, KERN_RING_AUTH_REQ);

	return m ? kd_take_ring(k, m, out) : 0;
}

/* ---- before and after a run ---- */

/* How often the program has run: each run writes a record or counts a drop.
 * The production object counts nothing: ~0, never the same twice. */
static __u64 kd_prog_runs(const struct orc_kernel *k)
{
	if (!k->rec_ring)
		return ~0ull;
	return __atomic_load_n(k->seq, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(k->dropped, __ATOMIC_ACQUIRE);
}

/* Whether the maps are still as kd_snapshot() left them: empty. Only the
 * program and the run's steps write them; the closes after the snapshot run
 * the program or not, and a closed socket leaves no sockhash entry. Each
 * empty map would otherwise cost a walk of all its buckets. */
static bool kd_maps_empty(const struct orc_kernel *k)
{
	return k->runs_at_take != ~0ull && k->runs_at_take == kd_prog_runs(k);
}

static int kd_clear(struct orc_kernel *k, const struct sf_input *in)
{
	static const enum kern_map_id maps[] = {KERN_MAP_MANAGE, KERN_MAP_SOCKET,
						KERN_MAP_AUTH_RES};
	bool empty = kd_maps_empty(k);
	struct kern_addr a;
	int err;

	k->runs_at_take = ~0ull;
	for (size_t i = 0; !empty && i < sizeof(maps) / sizeof(maps[0]); i++) {
		const struct bpf_map *m = kern_prog__map(k->prog, maps[i]);

		err = m ? kern_map__clear(m) : 0; /* count or -errno */
		if (err < 0) {
			fprintf(stderr, "oracle: clearing map %zu: %s\n", i, strerror(-err));
			return err;
		}
	}
	for (size_t i = 0; i < k->nrings; i++) {
		err = kern_ring__drain(kern_prog__ring_of(k->prog, k->rings[i]));
		if (err) {
			fprintf(stderr, "oracle: draining %s: %s\n", bpf_map__name(k->rings[i]),
				strerror(-err));
			return err;
		}
	}
	err = k->rec_ring ? kern_ring__drain(k->rec_ring) : 0;
	if (err)
		return err;
	kern_prog__set_monitoring(k->prog, in->monitoring);
	kern_prog__reset_log_level(k->prog);
	kd_addr(&a, AF_INET6, &in->node_ip, 0);
	kern_prog__set_node_ip(k->prog, &a);
	kd_addr(&a, AF_INET6, &in->pod_gateway, 0);
	kern_prog__set_pod_gateway(k->prog, &a);
	kern_prog__reset_counters(k->prog);
	k->answered = 0;
	return 0;
}

/* The keys (and u32 values, VALS not NULL) of map ID into KEYS, KSIZE bytes
 * each (SPEC §6's): *N of them. A map the program lacks, or whose keys are
 * not SPEC's size, is left out, as the native side leaves it (compare.c);
 * *LEFT is set when such a map, or a walked one whose entries do not go with
 * their sockets, may still hold entries (kd_clear() must clear it). */
static int kd_keys(struct orc_kernel *k, enum kern_map_id id, void *keys, size_t ksize, __u32 *vals,
		   size_t *n, bool *left)
{
	const struct bpf_map *m = kern_prog__map(k->prog, id);
	enum bpf_map_type type = m ? bpf_map__type(m) : BPF_MAP_TYPE_UNSPEC;
	int cnt;

	*n = 0;
	if (!m)
		return 0;
	if (bpf_map__key_size(m) != ksize || (vals && bpf_map__value_size(m) != sizeof(*vals))) {
		*left = true;
		return 0;
	}
	*left |= !vals && type != BPF_MAP_TYPE_SOCKHASH && type != BPF_MAP_TYPE_SOCKMAP;
	/* A hash map is taken, not only read: the next run starts from empty
	 * maps, which kd_clear() need not walk again unless the program ran
	 * since (the sockets closed after this may write: kd_maps_empty()).
	 * The sockhash (no VALS) has no batch operations: its keys are walked. */
	cnt = vals ? kern_map__take(m, keys, vals, ORC_MAX_ENTRIES)
		   : kern_map__keys(m, keys, ORC_MAX_ENTRIES);
	if (cnt < 0)
		return cnt;
	*n = cnt;
	return 0;
}

static int kd_snapshot(struct orc_kernel *k, struct orc_kernel_run *out)
{
	bool left = false;
	int err;

	err = kd_keys(k, KERN_MAP_MANAGE, out->manage_keys, sizeof(out->manage_keys[0]),
		      out->manage_vals, &out->nmanage, &left);
	err = err
		      ?: kd_keys(k, KERN_MAP_AUTH_RES, out->auth_keys, sizeof(out->auth_keys[0]),
				 out->auth_vals, &out->nauth, &left);
	err = err
		      ?: kd_keys(k, KERN_MAP_SOCKET, out->socket_keys, sizeof(out->socket_keys[0]),
				 NULL, &out->nsocket, &left);
	for (size_t i = 0; !err && i < k->nrings; i++)
		err = kd_take_ring(k, k->rings[i], out);
	if (err)
		return err;
	/* Empty now, but for a sockhash's entries, which go as their sockets
	 * close (next, before any other run), and the maps left out. */
	if (!left)
		k->runs_at_take = kd_prog_runs(k);
	out->ncounters = kern_prog__ncounters(k->prog);
	for (unsigned int i = 0; i < out->ncounters; i++)
		out->counters[i] = kern_prog__counter(k->prog, i);
	return 0;
}

/* Whether the driver has a handler for every step of IN: a kind whose row has
 * .kernel_none has none, and the run fails before anything is done. */
static int kd_check(const struct orc_run *in)
{
	if (in->nsteps > ORC_MAX_STEPS) {
		fprintf(stderr, "oracle: a run of %u steps, more than ORC_MAX_STEPS\n", in->nsteps);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < in->nsteps; i++) {
		const struct sf_kind_def *def = sf_kind_def(in->steps[i].kind);

		if (orc_kernel__handles(in->steps[i].kind))
			continue;
		fprintf(stderr, "oracle: step %u (%s): the kernel driver cannot carry it out: %s\n",
			i, def ? def->name : "?",
			def && def->kernel_none ? def->kernel_none : "it has no handler");
		return -EINVAL;
	}
	return 0;
}

int orc_kernel__run(struct orc_kernel *k, struct orc_run *in, struct orc_kernel_run *out)
{
	struct kern_addr extra[KD_MAX_EXTRA];
	size_t nextra;
	__u64 dropped = __atomic_load_n(k->dropped, __ATOMIC_RELAXED);
	int err = 0;

	err = kd_check(in);
	if (err)
		return err;
	/* Counts only: what lies past them is never read (half a megabyte a run). */
	out->nrecs = out->nacts = 0;
	out->lost = 0;
	out->nmanage = out->nauth = out->nsocket = out->nauth_reqs = out->nrings = 0;
	out->ncounters = 0;
	/* Every ring of the program is listed, also one that stays empty. */
	for (size_t i = 0; i < k->nrings; i++)
		kd_ring_out(out, k->rings[i]);
	/* A fresh namespace when the run binds fixed client ports which earlier
	 * runs' TIME_WAIT sockets may hold, or addresses lo lacks. Renewing it
	 * every time would cost more than the runs (namespaces die slowly). */
	if (kd_needs_netns(k, in, extra, &nextra)) {
		err = kern_sandbox__renew_netns(k->sb, extra, nextra);
		memset(k->used_ports, 0, sizeof(k->used_ports));
	}
	kd_ports_mark(k, in);
	if (!err)
		err = kd_clear(k, &in->head);
	if (err) {
		fprintf(stderr, "oracle: cannot reset the kernel's maps and rings: %s\n",
			strerror(-err));
		return err;
	}
	for (__u16 i = 0; i < in->nsteps; i++) {
		err = kd_step(k, i, &in->steps[i], out);
		if (!err)
			err = kd_collect(k, i, out);
		if (err) {
			fprintf(stderr, "oracle: step %u (%s): %s\n", i,
				sf_kind_name(in->steps[i].kind), strerror(-err));
			return err;
		}
	}
	/* Sockets still open are not closed here: their final state is part of
	 * the run. They close before the next run, outside any recording. */
	err = kd_snapshot(k, out);
	for (int i = 0; i < SF_NSLOTS; i++)
		kd_close(k, &k->slots[i], true);
	out->lost += __atomic_load_n(k->dropped, __ATOMIC_RELAXED) - dropped;
	return err;
}
