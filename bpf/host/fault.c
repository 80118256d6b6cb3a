// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fault.c: helper call counts and per-call fault injection.
 */
#include "fault.h"

struct helper_faults {
	__u64 calls;
	__u32 nr, next; /* armed faults, sorted by call number; next to fire */
	__u32 nth[HOST_FAULTS_PER_HELPER];
	long err[HOST_FAULTS_PER_HELPER];
};

static struct helper_faults faults[HOST_H__MAX];

static const char *const helper_names[HOST_H__MAX] = {
	[HOST_H_MAP_LOOKUP] = "bpf_map_lookup_elem",
	[HOST_H_MAP_UPDATE] = "bpf_map_update_elem",
	[HOST_H_MAP_DELETE] = "bpf_map_delete_elem",
	[HOST_H_RINGBUF_RESERVE] = "bpf_ringbuf_reserve",
	[HOST_H_RINGBUF_SUBMIT] = "bpf_ringbuf_submit",
	[HOST_H_RINGBUF_DISCARD] = "bpf_ringbuf_discard",
	[HOST_H_RINGBUF_OUTPUT] = "bpf_ringbuf_output",
	[HOST_H_SK_STORAGE_GET] = "bpf_sk_storage_get",
	[HOST_H_SK_STORAGE_DELETE] = "bpf_sk_storage_delete",
	[HOST_H_TCP_SOCK] = "bpf_tcp_sock",
	[HOST_H_CB_FLAGS_SET] = "bpf_sock_ops_cb_flags_set",
	[HOST_H_SOCK_HASH_UPDATE] = "bpf_sock_hash_update",
	[HOST_H_KTIME] = "bpf_ktime_get_ns",
	[HOST_H_OTHER] = "other helpers",
};

/* Helpers the kernel can make fail at run time (SPEC §6); the rest cannot. */
static bool can_fail(enum host_helper h)
{
	switch (h) {
	case HOST_H_MAP_UPDATE:
	case HOST_H_MAP_DELETE:
	case HOST_H_RINGBUF_RESERVE:
	case HOST_H_RINGBUF_OUTPUT:
	case HOST_H_SK_STORAGE_GET:
	case HOST_H_CB_FLAGS_SET:
	case HOST_H_SOCK_HASH_UPDATE:
		return true;
	default:
		return false;
	}
}

const char *host_helper__name(enum host_helper h)
{
	return (unsigned)h < HOST_H__MAX ? helper_names[h] : "unknown helper";
}

__u64 host_helper__calls(enum host_helper h)
{
	return (unsigned)h < HOST_H__MAX ? faults[h].calls : 0;
}

int host_fault__arm(enum host_helper h, __u32 nth, long err)
{
	struct helper_faults *f;
	__u32 i;

	if ((unsigned)h >= HOST_H__MAX || !can_fail(h) || err > 0)
		return -EINVAL;
	f = &faults[h];
	if (f->nr == HOST_FAULTS_PER_HELPER)
		return -ENOSPC;
	for (i = f->nr; i > f->next && f->nth[i - 1] > nth; i--) {
		f->nth[i] = f->nth[i - 1];
		f->err[i] = f->err[i - 1];
	}
	f->nth[i] = nth;
	f->err[i] = err;
	f->nr++;
	return 0;
}

bool host_fault__due(enum host_helper h, long *err)
{
	struct helper_faults *f = &faults[h];
	__u64 n = f->calls++;

	/* Faults armed for calls already made never fire. */
	while (f->next < f->nr && f->nth[f->next] < n)
		f->next++;
	if (f->next < f->nr && f->nth[f->next] == n) {
		if (err)
			*err = f->err[f->next];
		f->next++;
		return true;
	}
	return false;
}

void host_fault__reset(void)
{
	memset(faults, 0, sizeof(faults));
}
