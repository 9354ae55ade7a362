/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_TEST_DATA_H
#define AL_TEST_DATA_H

#include <stddef.h>
#include <stdio.h>

/*
 * The unit tests' data files, under $AL_TEST_DATA (tests/data), named
 * printf-style.  Each fails the running test with the path and the reason
 * when the file cannot be had.
 */

/* The full path, malloc'd. */
char *al_test_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The whole file (at most 64 MiB), NUL-terminated, malloc'd; its length
 * in *len when len is not NULL. */
char *al_test_read(size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The file opened for reading. */
FILE *al_test_open(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
