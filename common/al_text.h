/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_TEXT_H
#define AL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "al_error.h"

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
bool al_utf8_valid(const char *s, size_t len);

/*
 * True when s[0..len) holds a character that must not appear in a name or
 * a one-line field: C0 and C1 controls, DEL, and the Unicode bidi
 * controls (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), and the
 * invisible characters that make look-alike names or break lines (soft
 * hyphen U+00AD, U+200B, U+2060, U+FEFF, U+2028, U+2029).
 * s must be valid UTF-8.
 */
bool al_text_has_control(const char *s, size_t len);

/* Number of Unicode code points in valid UTF-8 s[0..len). */
size_t al_utf8_length(const char *s, size_t len);

/*
 * Is name[0..len) a safe relative path for an archive entry?  Not empty, at
 * most max_bytes, no NUL, valid UTF-8, no control or bidi character, no
 * backslash, not absolute, and no empty, "." or ".." component.  AL_EINVAL
 * with a message "WHAT 'NAME': rule", the name made visible.
 */
int al_relpath_check(const char *name, size_t len, size_t max_bytes,
		     const char *what, struct al_error *err);

/*
 * Write s[0..len) into out (size outsz, always NUL-terminated) with every
 * control character, bidi control and invalid byte made visible: \n, \t,
 * \\, \xNN, \u{NNNN}.  Text that is cut ends in "...".  Returns out.
 * For showing untrusted text (titles, names, file names) on a terminal.
 */
char *al_text_visible(const char *s, size_t len, char *out, size_t outsz);

/*
 * JSON text (jansson's output: controls below U+0020 already escaped)
 * with every other character al_text_has_control flags (DEL, C1, bidi
 * controls, invisible and line-breaking characters) written as \uXXXX, so
 * that no string in it can move a terminal's cursor or reorder its text.
 * Only strings can hold such characters, so the JSON means the same.
 * malloc'd, NULL when out of memory.
 */
char *al_text_json_controls(const char *json, size_t len);

#endif
