/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * steps.h: the step-kind registry. Every kind of step a run may hold is one
 * row of one table (input/steps.c): its fixed binary code, its level, who
 * performs it, its fields with their binary order and pools, and its text
 * form, field by field. The decoder, the encoder, the text parser and
 * printer, FORMAT.md's step table and every layer's handler table read the
 * rows, so they cannot disagree.
 *
 * Handlers live with the layer that runs them, each a table indexed by kind:
 * the world's expansion (world/), the kernel driver and the recording
 * conversion (oracle/). A layer with nothing to do for a kind leaves its
 * entry empty only where the row allows it (.kernel_none says why the kernel
 * driver cannot carry a kind out); tests walk the registry so that no row is
 * half-filled (tests/test_steps.c).
 *
 * Adding a step kind: a value in enum sf_kind (input.h), its row here, its
 * handlers in the world and the oracle, and its tests; `make format-doc`
 * regenerates FORMAT.md's table.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "input/input.h"

/* Who carries a step out (what a real system would need to produce it). */
enum sf_performer {
	SF_BY_APP,    /* the application's socket calls; the kernel fires the callbacks */
	SF_BY_USER,   /* user space writes a map, a socket's storage or a global */
	SF_BY_XDP,    /* the XDP program writes km_auth_res for an arriving packet */
	SF_BY_TIME,   /* time passes */
	SF_BY_RECORD, /* a raw event: a recorded callback or one no kernel sequence makes */
};

/* Fields of struct sf_step, as bits of sf_kind_def.fields. In the binary
 * form a step's fields follow its kind byte in this order, skipping the
 * unused ones (input/FORMAT.md). */
enum sf_field {
	SF_USE_SLOT = 1u << 0,
	SF_USE_PEER = 1u << 1,
	SF_USE_FLAGS = 1u << 2,
	SF_USE_FAMILY = 1u << 3, /* inet/inet6 from one bit; with SF_USE_ANY_FAMILY a pool */
	SF_USE_OP = 1u << 4,
	SF_USE_LOCAL = 1u << 5,
	SF_USE_LPORT = 1u << 6,
	SF_USE_REMOTE = 1u << 7,
	SF_USE_RPORT = 1u << 8,
	SF_USE_ARGS = 1u << 9,
	SF_USE_STATE = 1u << 10,
	SF_USE_VALUE = 1u << 11,
	SF_USE_GLOBAL = 1u << 12,     /* LOCAL is a global address: zero means unset */
	SF_USE_TCP = 1u << 13,	      /* the TCP counters */
	SF_USE_ANY_FAMILY = 1u << 14, /* FAMILY is any number, and addresses any of pool A */
};

/* A pool of integers with the width of its literal (1, 2, 4 or 8 bytes). */
struct sf_pool {
	const __u64 *v;
	unsigned int n;
	unsigned int lit_bytes;
	const char *name; /* FORMAT.md's name for it */
};

/* How the text form writes a value (sf_text_field.value). */
enum sf_value_style {
	SF_VS_NUMBER,	/* a number */
	SF_VS_ONOFF,	/* on, off or a number */
	SF_VS_VERDICT,	/* allow, deny or a number */
	SF_VS_DURATION, /* a number and ns, us, ms or s */
};

struct sf_value_syntax {
	enum sf_value_style style;
	const char *name; /* in messages: "bad NAME 'x'", "NAME 300 out of range" */
	const char *what; /* a bare value's description: "missing WHAT" */
	__u64 max;
};

/* One field of a kind's text form. */
enum sf_text_type {
	SF_TF_END,
	SF_TF_SLOT,   /* KEY=N: slot */
	SF_TF_PEER,   /* KEY=N: peer */
	SF_TF_ADDR,   /* a bare address: local; the notation gives the family */
	SF_TF_GLOBAL, /* a bare address or none: local */
	SF_TF_LOCAL,  /* KEY=ADDR:PORT: local, lport */
	SF_TF_REMOTE, /* KEY=ADDR:PORT: remote, rport */
	SF_TF_FLAG,   /* the bare word KEY: flag ARG */
	SF_TF_OP,     /* KEY=name or number: op */
	SF_TF_FAMILY, /* KEY=name or number: family */
	SF_TF_ARGS,   /* KEY=A[,B[,C[,D]]], optional: args */
	SF_TF_STATE,  /* KEY=name or number, optional: state */
	SF_TF_VALUE,  /* KEY=V, or bare when KEY is NULL: value, as VALUE says */
	SF_TF_TCP,    /* KEY=N: the struct sf_tcp counter at offset ARG, SIZE bytes */
};

struct sf_text_field {
	enum sf_text_type type;
	const char *key;
	unsigned int arg;
	const struct sf_value_syntax *value;
	unsigned int size; /* SF_TF_TCP: the counter's width, 4 or 8 bytes */
};

struct sf_kind_def {
	const char *name; /* the text form's word */
	__u8 code;	  /* the binary kind byte; fixed for ever once given */
	__u8 level;	  /* enum sf_level: the lowest level that may hold it */
	__u8 performer;	  /* enum sf_performer */
	bool raw_event;	  /* a run is not kernel-producible from it on (SPEC §8) */
	unsigned int fields;
	__u8 flags;			  /* SF_F_* it may carry */
	const struct sf_pool *value;	  /* VALUE's pool, when it has one */
	const struct sf_text_field *text; /* its text form in print order, ended by SF_TF_END */
	const char *kernel_none;	  /* NULL: the kernel driver carries it out; else why not */
	const char *doc;		  /* one line: what it does */
};

/* The registry: one row per kind, indexed by enum sf_kind. */
extern const struct sf_kind_def sf_kinds[SF_KIND__COUNT];

/* The row of KIND, or NULL past the end (inline: the world asks per step). */
static inline const struct sf_kind_def *sf_kind_def(enum sf_kind kind)
{
	return (unsigned int)kind < SF_KIND__COUNT ? &sf_kinds[kind] : NULL;
}

/* The kind a binary kind byte CODE (non-zero) selects at LEVEL: the kind
 * with that code when LEVEL may hold it, else the level's kinds in code
 * order taken (CODE - 1) modulo their number. So a kind's code means it at
 * every level that holds it, whatever kinds are added later. */
enum sf_kind sf_kind_of_code(__u8 code, enum sf_level level);

/* Whether LEVEL may hold KIND. */
bool sf_level_holds(enum sf_level level, enum sf_kind kind);

/* Print FORMAT.md's step table (markdown) from the registry. */
int sf_steps__print_table(FILE *out);
