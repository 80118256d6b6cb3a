// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map.c: read maps from user space the way every map type allows.
 *
 * Keys are enumerated with get-next-key, which every map with keys allows;
 * a user-space lookup in a SOCKHASH with 4-byte values fails with ENOSPC
 * (SPEC §10), so membership falls back to that walk there.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel_internal.h"

int kern_map__keys(const struct bpf_map *m, void *keys, size_t max)
{
	size_t ksz = bpf_map__key_size(m), cnt = 0;
	__u32 rounds = bpf_map__max_entries(m) + 1;
	unsigned char *prev = NULL, *next = keys;
	unsigned char *extra = NULL;
	int fd = bpf_map__fd(m), err;

	for (;;) {
		/* One key past MAX still has to be read, to say E2BIG. */
		if (cnt == max) {
			extra = extra ?: malloc(ksz);
			if (!extra)
				return -ENOMEM;
			next = extra;
		}
		err = bpf_map_get_next_key(fd, prev, next);
		if (err == -ENOENT) {
			err = cnt;
			break;
		}
		if (err)
			break;
		if (cnt == max) {
			err = -E2BIG;
			break;
		}
		/* A walk longer than the map can hold means keys came and went under us. */
		if (!rounds--) {
			err = -EAGAIN;
			break;
		}
		prev = next;
		next += ksz;
		cnt++;
	}
	free(extra);
	return err;
}

/* 1 when KEY is among M's keys, by walking them. */
static int map_walk_for(const struct bpf_map *m, const void *key)
{
	size_t ksz = bpf_map__key_size(m), max = bpf_map__max_entries(m);
	unsigned char *keys = calloc(max ?: 1, ksz);
	int cnt, i, found = 0;

	if (!keys)
		return -ENOMEM;
	cnt = kern_map__keys(m, keys, max);
	for (i = 0; i < cnt && !found; i++)
		found = !memcmp(keys + (size_t)i * ksz, key, ksz);
	free(keys);
	return cnt < 0 ? cnt : found;
}

int kern_map__contains(const struct bpf_map *m, const void *key)
{
	void *value = malloc(bpf_map__value_size(m) ?: 1);
	int err;

	if (!value)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(m), key, value);
	free(value);
	if (!err)
		return 1;
	if (err == -ENOENT)
		return 0;
	/* SOCKHASH and SOCKMAP refuse user-space lookups of a 4-byte value. */
	if (err == -ENOSPC)
		return map_walk_for(m, key);
	return err;
}

int kern_map__wait(const struct bpf_map *m, const void *key, bool present, int timeout_ms)
{
	__u64 deadline = kern_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int rounds, ret;

	for (rounds = 0; rounds < KERN_WAIT_MAX_ROUNDS; rounds++) {
		ret = kern_map__contains(m, key);
		if (ret < 0)
			return ret;
		if (ret == present)
			return 0;
		if (!kern_ms_left(deadline))
			break;
		/* Let the softirq that finishes the program run, if it is ours to run. */
		sched_yield();
	}
	return -ETIMEDOUT;
}

int kern_map__clear(const struct bpf_map *m)
{
	size_t ksz = bpf_map__key_size(m), max = bpf_map__max_entries(m);
	unsigned char first[64], *keys;
	int cnt, i, err = 0;

	/* Mostly empty already: say so without a buffer for max_entries keys. */
	if (ksz <= sizeof(first) && bpf_map_get_next_key(bpf_map__fd(m), NULL, first) == -ENOENT)
		return 0;
	keys = calloc(max ?: 1, ksz);
	if (!keys)
		return -ENOMEM;
	cnt = kern_map__keys(m, keys, max);
	for (i = 0; i < cnt && !err; i++) {
		err = bpf_map_delete_elem(bpf_map__fd(m), keys + (size_t)i * ksz);
		/* The program or a closing socket may have taken it first. */
		if (err == -ENOENT)
			err = 0;
	}
	free(keys);
	if (cnt < 0)
		return cnt;
	return err ? err : cnt;
}

int kern_map__take(const struct bpf_map *m, void *keys, void *vals, size_t max)
{
	size_t ksz = bpf_map__key_size(m), vsz = bpf_map__value_size(m), cnt = 0;
	__u32 rounds = bpf_map__max_entries(m) + 2;
	unsigned char probe[64];
	__u64 batch = 0; /* a hash map's batch position: a bucket */
	int fd = bpf_map__fd(m), err;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	for (; rounds--;) {
		__u32 n = (__u32)(max - cnt);

		if (!n) {
			/* Full: whatever is left says E2BIG. */
			err = ksz <= sizeof(probe) ? bpf_map_get_next_key(fd, NULL, probe) : 0;
			return err == -ENOENT ? (int)cnt : err ?: -E2BIG;
		}
		err = bpf_map_lookup_and_delete_batch(fd, cnt ? &batch : NULL, &batch,
						      (unsigned char *)keys + cnt * ksz,
						      (unsigned char *)vals + cnt * vsz, &n, &opts);
		if (err && err != -ENOENT)
			return err;
		cnt += n;
		if (err == -ENOENT)
			return (int)cnt; /* the last bucket is past */
	}
	return -EAGAIN; /* keys came faster than they went */
}

/* The storage map's fd, or -ENOENT when the program has none of SPEC's size. */
static int storage_fd(const struct kern_prog *p)
{
	const struct bpf_map *m = kern_prog__map(p, KERN_MAP_SOCKSTORAGE);

	if (!m || bpf_map__value_size(m) != sizeof(struct sock_storage_data))
		return -ENOENT;
	return bpf_map__fd(m);
}

int kern_sockstorage__get(const struct kern_prog *p, int sock_fd, struct sock_storage_data *out)
{
	int fd = storage_fd(p);

	return fd < 0 ? fd : bpf_map_lookup_elem(fd, &sock_fd, out);
}

int kern_sockstorage__set(const struct kern_prog *p, int sock_fd,
			  const struct sock_storage_data *in)
{
	int fd = storage_fd(p);

	/* No storage map (of SPEC's size): nothing to write, as natively. */
	return fd < 0 ? 0 : bpf_map_update_elem(fd, &sock_fd, in, BPF_ANY);
}

int kern_sockstorage__set_waypoint(const struct kern_prog *p, int sock_fd, bool on)
{
	struct sock_storage_data st;
	int err;

	err = kern_sockstorage__get(p, sock_fd, &st);
	if (err == -ENOENT)
		memset(&st, 0, sizeof(st));
	else if (err)
		return err;
	st.via_waypoint = on;
	return kern_sockstorage__set(p, sock_fd, &st);
}
