// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mapgen: write the native descriptor of a BPF program (struct host_prog_def,
 * bpf/host/host.h) from the program's BPF object.
 *
 * Usage: mapgen OBJECT SOURCE > prog.c
 *        mapgen --entry OBJECT   print the name of the SEC("sockops") entry
 *
 * The entry's name is read here only, for both: host_prog.name and the
 * recording build's rename of it (bpf/record/record.mk).
 *
 * The output #includes SOURCE unmodified, then lists its entry, its maps, its
 * global variables and the layout of every named struct in its BTF (member
 * names, offsets and sizes, as the BPF build laid them out: what user space
 * reading the program's records must go by). Map metadata is what libbpf reads from the object's
 * BTF, the same the kernel gets; static assertions check that the native
 * compiler agrees with every key size, value size, type and max_entries the
 * definition spells with __type/__uint, so the two builds cannot drift.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* Assert the native view of map NAME's __uint/__type members against BTF. */
static void emit_map_asserts(const struct btf *btf, const struct bpf_map *map)
{
	const char *name = bpf_map__name(map);
	__s32 var_id = btf__find_by_name_kind(btf, name, BTF_KIND_VAR);
	const struct btf_type *def;
	const struct btf_member *mem;

	if (var_id < 0)
		return;
	def = btf__type_by_id(btf, btf__type_by_id(btf, var_id)->type);
	if (!btf_is_struct(def))
		return;
	mem = btf_members(def);
	for (int i = 0; i < btf_vlen(def); i++, mem++) {
		const char *m = btf__name_by_offset(btf, mem->name_off);

		if (!strcmp(m, "key"))
			printf("_Static_assert(sizeof(*%s.key) == %u, \"%s key size\");\n", name,
			       bpf_map__key_size(map), name);
		else if (!strcmp(m, "value"))
			printf("_Static_assert(sizeof(*%s.value) == %u, \"%s value size\");\n",
			       name, bpf_map__value_size(map), name);
		else if (!strcmp(m, "type"))
			printf("_Static_assert(sizeof(*%s.type) / sizeof(int) == %u, \"%s type\");\n",
			       name, bpf_map__type(map), name);
		else if (!strcmp(m, "max_entries"))
			printf("_Static_assert(sizeof(*%s.max_entries) / sizeof(int) == %u, "
			       "\"%s max_entries\");\n",
			       name, bpf_map__max_entries(map), name);
	}
}

/* Globals with external linkage in the data sections; function-local statics
 * have no name C can reach from file scope, so they are left out. */
static int emit_globals(const struct btf *btf)
{
	int n = 0;

	printf("\nstatic const struct host_global_def prog_globals[] = {\n");
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *sec = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vi;
		const char *sname;

		if (!btf_is_datasec(sec))
			continue;
		sname = btf__name_by_offset(btf, sec->name_off);
		if (strcmp(sname, ".data") && strcmp(sname, ".bss") && strcmp(sname, ".rodata"))
			continue;
		vi = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);
			const char *vname = btf__name_by_offset(btf, var->name_off);

			if (!btf_is_var(var) || btf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED)
				continue;
			printf("\t{ \"%s\", (void *)&%s, %u },\n", vname, vname, vi->size);
			n++;
		}
	}
	printf("};\n");
	return n;
}

/* Every named struct of the BTF with its named members: the program's record
 * layouts (struct host_struct_def). Returns how many. */
static int emit_structs(const struct btf *btf)
{
	int n = 0;

	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *m;

		if (!btf_is_struct(t) || !t->name_off || btf_kflag(t))
			continue;
		printf("static const struct host_field_def prog_struct%u[] = {\n", id);
		m = btf_members(t);
		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *name = btf__name_by_offset(btf, m->name_off);
			__s64 size = btf__resolve_size(btf, m->type);

			if (*name && size > 0 && !(m->offset % 8))
				printf("\t{ \"%s\", %u, %lld },\n", name, m->offset / 8,
				       (long long)size);
		}
		printf("\t{ 0 },\n};\n");
	}
	printf("\nstatic const struct host_struct_def prog_structs[] = {\n");
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_struct(t) || !t->name_off || btf_kflag(t))
			continue;
		printf("\t{ \"%s\", %u, prog_struct%u },\n", btf__name_by_offset(btf, t->name_off),
		       t->size, id);
		n++;
	}
	printf("};\n");
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_program *prog, *entry = NULL;
	struct bpf_object *obj;
	const struct btf *btf;
	struct bpf_map *map;
	int nr_maps = 0, nr_globals, nr_structs;
	bool entry_only = argc == 3 && !strcmp(argv[1], "--entry");

	if (argc != 3) {
		fprintf(stderr, "Usage: %s OBJECT SOURCE > prog.c\n       %s --entry OBJECT\n",
			argv[0], argv[0]);
		return 2;
	}
	if (entry_only)
		argv++;
	libbpf_set_print(silent);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "mapgen: cannot open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	btf = bpf_object__btf(obj);
	bpf_object__for_each_program(
		prog, obj) if (!strcmp(bpf_program__section_name(prog), "sockops")) entry = prog;
	if (!entry || !btf) {
		fprintf(stderr, "mapgen: %s has %s\n", argv[1],
			!btf ? "no BTF (build with -g)" : "no SEC(\"sockops\") program");
		bpf_object__close(obj);
		return 2;
	}
	if (entry_only) {
		printf("%s\n", bpf_program__name(entry));
		bpf_object__close(obj);
		return 0;
	}

	printf("/* Generated by tools/mapgen from %s. Do not edit. */\n", argv[1]);
	printf("#include \"%s\"\n#include \"host.h\"\n\n", argv[2]);
	bpf_object__for_each_map(map, obj) if (!bpf_map__is_internal(map))
		emit_map_asserts(btf, map);

	printf("\nstatic const struct host_map_def prog_maps[] = {\n");
	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__is_internal(map))
			continue;
		printf("\t{ \"%s\", (void *)&%s, %u, %u, %u, %u, %u },\n", bpf_map__name(map),
		       bpf_map__name(map), bpf_map__type(map), bpf_map__key_size(map),
		       bpf_map__value_size(map), bpf_map__max_entries(map),
		       bpf_map__map_flags(map));
		nr_maps++;
	}
	printf("};\n");
	nr_globals = emit_globals(btf);
	nr_structs = emit_structs(btf);

	printf("\nconst struct host_prog_def host_prog = {\n"
	       "\t.name = \"%s\",\n\t.section = \"%s\",\n\t.entry = %s,\n"
	       "\t.maps = prog_maps,\n\t.nr_maps = %d,\n"
	       "\t.globals = prog_globals,\n\t.nr_globals = %d,\n"
	       "\t.structs = prog_structs,\n\t.nr_structs = %d,\n};\n",
	       bpf_program__name(entry), bpf_program__section_name(entry), bpf_program__name(entry),
	       nr_maps, nr_globals, nr_structs);
	bpf_object__close(obj);
	return 0;
}
