// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * journal.c: the effects of the current host_sock__fire(), oldest first.
 */
#include "journal.h"

static struct host_effect journal[HOST_JOURNAL_MAX];
/* Keys and values copied out of the program's stack, which is gone after it returns. */
static __u8 journal_keys[HOST_JOURNAL_MAX][HOST_JOURNAL_COPY];
static __u8 journal_vals[HOST_JOURNAL_MAX][HOST_JOURNAL_COPY];
static __u32 journal_key_size[HOST_JOURNAL_MAX]; /* bytes of the key that count */
static unsigned int journal_len;
static bool journal_overflow;

static __u32 min_copy(__u32 n)
{
	return n < HOST_JOURNAL_COPY ? n : HOST_JOURNAL_COPY;
}

void host_journal__add(const struct host_effect *e, __u32 key_size)
{
	unsigned int i = journal_len;

	if (i == HOST_JOURNAL_MAX) {
		journal_overflow = true;
		return;
	}
	journal[i] = *e;
	journal_key_size[i] = 0;
	if (e->key && e->map) {
		memcpy(journal_keys[i], e->key, min_copy(key_size));
		journal[i].key = journal_keys[i];
		journal_key_size[i] = min_copy(key_size);
	}
	if (e->kind == HOST_FX_MAP_UPDATE && e->data) {
		memcpy(journal_vals[i], e->data, min_copy(e->size));
		journal[i].data = journal_vals[i];
	}
	journal_len++;
}

void host_journal__clear(void)
{
	journal_len = 0;
	journal_overflow = false;
}

const struct host_effect *host_journal(unsigned int *n, bool *overflow)
{
	*n = journal_len;
	if (overflow)
		*overflow = journal_overflow;
	return journal;
}

__u64 host_journal__digest(__u64 h)
{
	for (unsigned int i = 0; i < journal_len; i++) {
		const struct host_effect *e = &journal[i];

		h = host_digest__bytes(h, &e->kind, sizeof(e->kind));
		h = host_digest__bytes(h, &e->rc, sizeof(e->rc));
		h = host_digest__bytes(h, &e->arg, sizeof(e->arg));
		h = host_digest__bytes(h, e->key, journal_key_size[i]);
		if (e->data)
			h = host_digest__bytes(h, e->data, e->size);
	}
	return h;
}
