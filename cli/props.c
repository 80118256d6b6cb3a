// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * props.c: sockfuzz props { list | help }: the properties the executor checks
 * (props/props.h), in the order they run.
 */
#include <stdio.h>
#include <string.h>
#include "bpf/host/host.h"
#include "cli/main.h"
#include "props/props.h"

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s props { list | help }\n"
		"\n"
		"       list   every property: name, SPEC section, when it applies, what it says\n"
		"              (plausible: until the first raw step; close: also at a silent\n"
		"              close; end: once at the end of the run; n/a: the program built\n"
		"              into this binary lacks a part of SPEC §6 the property needs)\n",
		bin_name);
	return SF_EXIT_OK;
}

/* When P applies, in a few words. */
static const char *applies(const struct prop_def *p, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", p->flags & PROP_F_AT_END ? "end" : "event",
		 p->flags & PROP_F_AT_CLOSE ? ",close" : "",
		 p->flags & PROP_F_PLAUSIBLE ? ",plausible" : "");
	return buf;
}

/* Bytes of S beyond its characters ('§' is two bytes), so that printf's
 * byte-counted padding lines columns up. */
static int utf8_extra(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) == 0x80;
	return n;
}

static int do_list(int argc, char **argv)
{
	char when[40];

	char na[64];
	int err;

	if (argc > 0)
		return is_help(argv[0]) ? do_help(0, NULL) : bad_arg(argv[0], do_help);
	host_set_print(NULL);
	err = host_init();
	if (err) {
		p_err("the program under test does not start: %s", strerror(-err));
		return SF_EXIT_USAGE;
	}
	printf("%-36s %-7s %-30s %s\n", "NAME", "SPEC", "APPLIES", "DOC");
	for (unsigned int i = 0; i < prop_count(); i++) {
		const struct prop_def *p = prop_at(i);
		const char *spec = p->spec ? p->spec : "-";
		const char *lack = prop_not_applicable(p);

		if (lack)
			snprintf(na, sizeof(na), "n/a (no %s)", lack);
		printf("%-36s %-*s %-30s %s\n", p->name, 7 + utf8_extra(spec), spec,
		       lack ? na : applies(p, when, sizeof(when)), p->doc ? p->doc : "");
	}
	printf("(for the program under test: %s)\n", host_prog.name);
	host_fini();
	return SF_EXIT_OK;
}

static const struct cmd cmds[] = {
	{"list", do_list}, {"help", do_help}, {"-h", do_help}, {"--help", do_help}, {NULL, NULL},
};

int do_props(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, do_help);
}
