/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * journal.h: recording the effects of the current host_sock__fire() (the
 * reader's side is host_journal() in host.h). A leaf: the map types and the
 * helpers call it, it calls nobody.
 */
#pragma once

#include "host_internal.h"

/* Keep E. KEY_SIZE bytes of E->key (when E has a map and a key) and, for a
 * map update, E->size bytes of E->data are copied, at most HOST_JOURNAL_COPY. */
void host_journal__add(const struct host_effect *e, __u32 key_size);

/* Forget every effect: a fire begins, or the runtime is reset. */
void host_journal__clear(void);
