/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deterministic tar writer.  libarchive's restricted pax format does
 * the tar layout; this file fixes every field that could vary (type, mode,
 * owner, names of owner, times) and keeps libarchive away from the
 * process locale, which it would otherwise consult to encode names.
 *
 * Why a locale at all: libarchive 3.6 turns an entry's name into UTF-8 for
 * the pax 'path' record by way of the current LC_CTYPE.  Under "C" a
 * non-ASCII name cannot be converted, so it would fall back to
 * "hdrcharset=BINARY" (or, for a name given with the _utf8 setter, crash
 * on a NULL string).  Every libarchive call here therefore runs under a
 * thread-local UTF-8 LC_CTYPE (uselocale), and the sink is called back
 * under the caller's own locale.  The output never depends on the
 * process's locale settings.
 */
#include "al_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_text.h"

#define AL_TAR_CHUNK    (64 * 1024) /* add_fd reads this much at a time */
#define AL_TAR_BLOCK    10240       /* libarchive's write block: 20 records */
#define AL_TAR_NAME_MAX 255         /* the bundle spec's limit for a name */
#define AL_TAR_MODE     0644
#define SHOW_LEN        96 /* a name as quoted in a message */

struct al_tar_writer {
	struct archive *a;
	al_sink_fn sink;
	void *sink_ctx;
	int64_t mtime;
	locale_t loc;       /* LC_CTYPE that libarchive runs under */
	bool loc_utf8;      /* loc can encode non-ASCII names */
	locale_t caller;    /* the caller's locale while inside libarchive */
	unsigned char *buf; /* AL_TAR_CHUNK bytes, for add_fd */
	struct al_error sink_err; /* what the sink said when it failed */
	bool sink_failed;
	bool failed;   /* the archive is unusable: nothing more is written */
	bool finished; /* the end-of-archive blocks went out */
	bool quiet;    /* being freed: drop whatever libarchive flushes */
};

static void enter(struct al_tar_writer *w)
{
	w->caller = uselocale(w->loc);
}

static void leave(struct al_tar_writer *w)
{
	uselocale(w->caller);
}

/* libarchive's write callback: hand the bytes to the sink. */
static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf,
			   size_t len)
{
	struct al_tar_writer *w = ctx;
	int rc;

	(void)a;
	if (w->quiet)
		return (la_ssize_t)len;
	if (w->sink_failed)
		return -1;
	al_error_clear(&w->sink_err);
	uselocale(w->caller);
	rc = w->sink(w->sink_ctx, buf, len, &w->sink_err);
	uselocale(w->loc);
	if (rc != 0) {
		w->sink_failed = true;
		if (rc > 0)
			rc = AL_EIO;
		if (w->sink_err.code == AL_OK)
			w->sink_err.code = rc;
		if (w->sink_err.msg[0] == '\0')
			al_error_set(&w->sink_err, rc,
				     "archive: writing failed (%s)",
				     al_error_name(rc));
		return -1;
	}
	return (la_ssize_t)len;
}

/*
 * Report a failure of a libarchive call about subject (an entry name
 * already made visible, or NULL for the archive as a whole).  A sink
 * failure is passed up as the sink reported it; anything else is
 * libarchive's message.  Either way the archive takes no more entries.
 */
static int fail_archive(struct al_tar_writer *w, const char *subject,
			struct al_error *err)
{
	const char *msg;
	int code;

	w->failed = true;
	if (w->sink_failed) {
		if (err)
			*err = w->sink_err;
		return w->sink_err.code;
	}
	msg = archive_error_string(w->a);
	code = archive_errno(w->a) == ENOMEM ? AL_ENOMEM : AL_EIO;
	if (subject)
		return al_error_set(err, code, "archive entry '%s': %s",
				    subject, msg ? msg : "write failed");
	return al_error_set(err, code, "archive: %s",
			    msg ? msg : "write failed");
}

/* Find a UTF-8 LC_CTYPE; "C" (ASCII names only) when there is none. */
static locale_t utf8_locale(bool *is_utf8)
{
	static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};
	locale_t loc;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		loc = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
		if (loc) {
			*is_utf8 = true;
			return loc;
		}
	}
	*is_utf8 = false;
	return newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
}

int al_tar_writer_new(struct al_tar_writer **out, al_sink_fn sink,
		      void *sink_ctx, int64_t mtime, struct al_error *err)
{
	struct al_tar_writer *w = NULL;
	int rc = 0;

	*out = NULL;
	if (!sink)
		return al_error_set(err, AL_EUSAGE, "archive: no sink given");
	w = calloc(1, sizeof(*w));
	if (!w)
		return al_error_set(err, AL_ENOMEM, "archive: out of memory");
	w->sink = sink;
	w->sink_ctx = sink_ctx;
	w->mtime = mtime;
	w->buf = malloc(AL_TAR_CHUNK);
	w->loc = utf8_locale(&w->loc_utf8);
	if (!w->buf || !w->loc) {
		rc = al_error_set(err, AL_ENOMEM, "archive: out of memory");
		goto out;
	}
	enter(w);
	w->a = archive_write_new();
	if (!w->a) {
		leave(w);
		rc = al_error_set(err, AL_ENOMEM, "archive: out of memory");
		goto out;
	}
	/*
	 * Restricted pax: plain ustar headers, and a pax header only for a
	 * name that ustar cannot hold.  Blocks of 10240 bytes as tar makes
	 * them, but the last one is not padded: the stream ends right after
	 * the two zero records that mark the end of the archive.
	 */
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, AL_TAR_BLOCK) !=
		    ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(w->a, w, NULL, write_cb, NULL, NULL) !=
		    ARCHIVE_OK) {
		rc = fail_archive(w, NULL, err);
		leave(w);
		goto out;
	}
	leave(w);
	*out = w;
	w = NULL;
out:
	al_tar_writer_free(w);
	return rc;
}

/* May w take another entry? */
static int check_usable(const struct al_tar_writer *w, struct al_error *err)
{
	if (w->finished)
		return al_error_set(err, AL_EUSAGE,
				    "archive: already finished");
	if (w->failed)
		return al_error_set(err, AL_EUSAGE,
				    "archive: an earlier write failed; "
				    "nothing more can be added");
	return 0;
}

/*
 * Refuse a name that would not make a plain relative file name in the
 * archive.  Which names a bundle may hold (and duplicates) is the
 * caller's rule; these are the ones that keep the tar itself sane and its
 * bytes well defined.
 */
static int check_name(const struct al_tar_writer *w, const char *name,
		      char show[SHOW_LEN], struct al_error *err)
{
	size_t len = name ? strlen(name) : 0;
	int rc;

	if ((rc = al_relpath_check(name ? name : "", len, AL_TAR_NAME_MAX,
				   "archive entry", err)))
		return rc;
	al_text_visible(name, len, show, SHOW_LEN);
	if (!w->loc_utf8) {
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)name[i] >= 0x80)
				return al_error_set(err, AL_EINVAL,
						    "archive entry '%s': no "
						    "UTF-8 locale to write a "
						    "non-ASCII name",
						    show);
	}
	return 0;
}

/* Write the header of a regular file of size bytes. */
static int write_header(struct al_tar_writer *w, const char *name,
			const char *show, uint64_t size, struct al_error *err)
{
	struct archive_entry *e;
	int rc = 0;

	if (size > INT64_MAX)
		return al_error_set(err, AL_ELIMIT,
				    "archive entry '%s': size %llu is too "
				    "large",
				    show, (unsigned long long)size);
	enter(w);
	e = archive_entry_new2(w->a);
	if (!e) {
		leave(w);
		return al_error_set(err, AL_ENOMEM,
				    "archive entry '%s': out of memory", show);
	}
	/*
	 * The name goes in as the locale's multibyte form, which under our
	 * UTF-8 LC_CTYPE is the UTF-8 bytes themselves (the _utf8 setter
	 * crashes libarchive 3.6's pax writer).  No uname/gname, atime,
	 * ctime or birthtime is set, so none is written.
	 */
	archive_entry_copy_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, AL_TAR_MODE);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, (time_t)w->mtime, 0);
	archive_entry_set_size(e, (la_int64_t)size);
	if (archive_write_header(w->a, e) != ARCHIVE_OK)
		rc = fail_archive(w, show, err);
	archive_entry_free(e);
	leave(w);
	return rc;
}

/* Write len bytes of the current entry's data. */
static int write_data(struct al_tar_writer *w, const char *show,
		      const void *buf, size_t len, struct al_error *err)
{
	la_ssize_t n;

	while (len > 0) {
		enter(w);
		n = archive_write_data(w->a, buf, len);
		leave(w);
		if (n <= 0)
			return fail_archive(w, show, err);
		buf = (const unsigned char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

static int finish_entry(struct al_tar_writer *w, const char *show,
			struct al_error *err)
{
	int r;

	enter(w);
	r = archive_write_finish_entry(w->a);
	leave(w);
	if (r != ARCHIVE_OK)
		return fail_archive(w, show, err);
	return 0;
}

int al_tar_writer_add_mem(struct al_tar_writer *w, const char *name,
			  const void *buf, size_t len, struct al_error *err)
{
	char show[SHOW_LEN];
	int rc;

	if ((rc = check_usable(w, err)) ||
	    (rc = check_name(w, name, show, err)))
		return rc;
	if (len > 0 && !buf)
		return al_error_set(err, AL_EUSAGE,
				    "archive entry '%s': no data given", show);
	if ((rc = write_header(w, name, show, len, err)) ||
	    (rc = write_data(w, show, buf, len, err)) ||
	    (rc = finish_entry(w, show, err)))
		return rc;
	return 0;
}

/* read(2) that retries EINTR. */
static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Stream exactly size bytes of fd into the current entry. */
static int copy_fd(struct al_tar_writer *w, const char *show, int fd,
		   uint64_t size, struct al_sha256 *hash, struct al_error *err)
{
	uint64_t done = 0;
	ssize_t n;
	int rc;

	while (done < size) {
		size_t want = size - done < AL_TAR_CHUNK ? (size_t)(size - done)
							 : AL_TAR_CHUNK;

		n = read_retry(fd, w->buf, want);
		if (n < 0)
			return al_error_set(err, AL_EIO,
					    "'%s': read failed: %s", show,
					    strerror(errno));
		if (n == 0)
			return al_error_set(err, AL_EIO,
					    "'%s': changed while being read "
					    "(ended after %llu of %llu bytes)",
					    show, (unsigned long long)done,
					    (unsigned long long)size);
		if (hash)
			al_sha256_update(hash, w->buf, (size_t)n);
		if ((rc = write_data(w, show, w->buf, (size_t)n, err)))
			return rc;
		done += (uint64_t)n;
	}
	n = read_retry(fd, w->buf, 1);
	if (n < 0)
		return al_error_set(err, AL_EIO, "'%s': read failed: %s", show,
				    strerror(errno));
	if (n > 0)
		return al_error_set(err, AL_EIO,
				    "'%s': changed while being read (more "
				    "than %llu bytes)",
				    show, (unsigned long long)size);
	return 0;
}

int al_tar_writer_add_fd(struct al_tar_writer *w, const char *name, int fd,
			 uint64_t size, struct al_sha256 *hash,
			 struct al_error *err)
{
	char show[SHOW_LEN];
	int rc;

	if ((rc = check_usable(w, err)) ||
	    (rc = check_name(w, name, show, err)))
		return rc;
	if (fd < 0)
		return al_error_set(err, AL_EUSAGE,
				    "archive entry '%s': no file given", show);
	if ((rc = write_header(w, name, show, size, err)))
		return rc;
	/* The header promised size bytes: any failure now spoils the
	 * archive. */
	if ((rc = copy_fd(w, show, fd, size, hash, err)) ||
	    (rc = finish_entry(w, show, err))) {
		w->failed = true;
		return rc;
	}
	return 0;
}

int al_tar_writer_finish(struct al_tar_writer *w, struct al_error *err)
{
	int rc, r;

	if ((rc = check_usable(w, err)))
		return rc;
	enter(w);
	r = archive_write_close(w->a);
	leave(w);
	if (r != ARCHIVE_OK)
		return fail_archive(w, NULL, err);
	w->finished = true;
	return 0;
}

void al_tar_writer_free(struct al_tar_writer *w)
{
	if (!w)
		return;
	if (w->a) {
		/* archive_write_free would close (and so write the end
		 * blocks) an archive not yet closed: nothing more may reach
		 * the sink here. */
		w->quiet = true;
		enter(w);
		archive_write_free(w->a);
		leave(w);
	}
	if (w->loc)
		freelocale(w->loc);
	free(w->buf);
	free(w);
}
