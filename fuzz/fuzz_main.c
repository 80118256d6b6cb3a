// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_main.c: the main() of a fuzz target built without an engine. Runs each
 * file argument, and every regular file of a directory argument (sorted by
 * name, not recursive), through LLVMFuzzerTestOneInput() once. Arguments that
 * start with '-' are engine flags and are ignored, so the command lines of
 * libFuzzer and OSS-Fuzz reproducers work unchanged.
 *
 * Exit: 0 when every input ran clean, 2 when a file cannot be read; a broken
 * property aborts inside the target (SIGABRT), as under an engine.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz/fuzz_target.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read PATH whole into a buffer of exactly its size (so ASan sees a read past
 * the end) and run it. Returns 0 or -errno. */
static int run_file(const char *path)
{
	uint8_t *data = NULL;
	struct stat st;
	FILE *f = fopen(path, "rb");
	int err = 0;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0)
		err = -errno;
	else if (!(data = malloc(st.st_size ? st.st_size : 1)))
		err = -ENOMEM;
	else if (fread(data, 1, st.st_size, f) != (size_t)st.st_size)
		err = -EIO;
	fclose(f);
	if (!err) {
		fuzz_target_name(path);
		LLVMFuzzerTestOneInput(data, st.st_size);
		fuzz_target_name(NULL);
	}
	free(data);
	return err;
}

/* Run the regular files of DIR in name order. Returns 0 or the first -errno. */
static int run_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int n, i, err = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!err && names[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			err = run_file(path);
			if (err)
				fprintf(stderr, "%s: %s\n", path, strerror(-err));
		}
		free(names[i]);
	}
	free(names);
	return err;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i, err;

	if (LLVMFuzzerInitialize(&argc, &argv))
		return 2;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) < 0)
			err = -errno;
		else if (S_ISDIR(st.st_mode))
			err = run_dir(argv[i]);
		else
			err = run_file(argv[i]);
		if (err) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(-err));
			return 2;
		}
	}
	fprintf(stderr, "%s: %llu files replayed, no property broke\n", argv[0],
		(unsigned long long)fuzz_target_stats()->inputs);
	return 0;
}
