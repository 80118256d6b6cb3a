// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * storage.c: what the program may write into a socket's storage (SPEC §1,
 * §5, §6): only the fields the event's path writes, and only to the values
 * the spec gives them. The rest is user space's (its connect hook) and must
 * come through the event as it went in.
 */
#include <string.h>
#include "props/props_internal.h"

/* The storage of the event's socket before and after it: the one value the
 * event could touch, so nothing else is read. */
enum prop_res prop_storage_written_as_specified(struct prop_ctx *c)
{
	static const struct sock_storage_data none; /* absent: as created, zeroed */
	const struct model_expect *e = c->exp;
	const struct sock_storage_data *pre = c->pre->has_storage ? &c->pre->storage : &none;
	struct sock_storage_data now_st, *st = &now_st;
	const void *value;
	__u64 now = host_clock__now();
	/* §1 ops 4 and 5 step 1, §5: an observed establish, monitoring on and a
	 * full TCP socket, marks the storage; op 5 also stamps connect_ns. */
	bool marks = e->establish && e->observed && e->can_report;
	bool inbound = e->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB;
	__u8 dir = inbound ? KM_DIR_INBOUND : KM_DIR_OUTBOUND;
	struct sock_storage_data rest_pre, rest_now;

	if (!prop_ran(c))
		return PROP_SKIP;
	value = host_sk_storage__get(c->maps->storage, c->ev->sock, false);
	if (!value)
		return PROP_PASS; /* creation is probe_reports_as_specified's */
	prop_storage__load(&now_st, c->maps->storage, value);
	if (st->connect_ns != pre->connect_ns && !(marks && inbound && st->connect_ns == now))
		return prop_fail(
			c,
			"the storage's connect_ns went from %llu to %llu (now %llu): only an"
			" observed passive establish writes it, with now (SPEC §1 op 5);"
			" the connect hook's stamp is user space's",
			(unsigned long long)pre->connect_ns, (unsigned long long)st->connect_ns,
			(unsigned long long)now);
	if (st->last_report_ns != pre->last_report_ns &&
	    !(e->want_report && st->last_report_ns == now))
		return prop_fail(c,
				 "the storage's last_report_ns went from %llu to %llu (now %llu):"
				 " only a report writes it, with now (SPEC §5)",
				 (unsigned long long)pre->last_report_ns,
				 (unsigned long long)st->last_report_ns, (unsigned long long)now);
	if ((st->direction != pre->direction && !(marks && st->direction == dir)) ||
	    (st->connect_success != pre->connect_success && !(marks && st->connect_success == 1)))
		return prop_fail(c,
				 "the storage went from direction %u, connect_success %u to %u, %u:"
				 " only an observed establish writes them, with its direction (%u)"
				 " and 1 (SPEC §5)",
				 pre->direction, pre->connect_success, st->direction,
				 st->connect_success, marks ? dir : pre->direction);
	/* via_waypoint, has_encoded, has_set_ip, sk_tuple and the padding are
	 * never the program's (SPEC §6: the connect hooks write them). */
	rest_pre = *pre;
	rest_now = *st;
	rest_pre.connect_ns = rest_now.connect_ns = 0;
	rest_pre.last_report_ns = rest_now.last_report_ns = 0;
	rest_pre.direction = rest_now.direction = 0;
	rest_pre.connect_success = rest_now.connect_success = 0;
	if (memcmp(&rest_pre, &rest_now, sizeof(rest_pre))) {
		prop_fail(
			c,
			"the program wrote storage fields it never may (via_waypoint, has_encoded,"
			" has_set_ip, sk_tuple: SPEC §6); the 64 bytes before and after, the"
			" fields it may write blanked:\n");
		fmt_bytes_diff(c->why, &rest_pre, &rest_now, sizeof(rest_pre));
		return PROP_FAIL;
	}
	return PROP_PASS;
}
