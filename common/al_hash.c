/* SPDX-License-Identifier: Apache-2.0 */
#include "al_hash.h"

#include <errno.h>
#include <gcrypt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct al_sha256 {
	gcry_md_hd_t md;
};

void al_hash_init(void)
{
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_check_version(NULL);
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
}

int al_sha256_new(struct al_sha256 **out, struct al_error *err)
{
	struct al_sha256 *h;
	gcry_error_t ge;

	*out = NULL;
	al_hash_init();
	h = calloc(1, sizeof(*h));
	if (!h)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	ge = gcry_md_open(&h->md, GCRY_MD_SHA256, 0);
	if (ge) {
		free(h);
		return al_error_set(err, AL_ECRYPTO, "sha-256: %s",
				    gcry_strerror(ge));
	}
	*out = h;
	return 0;
}

void al_sha256_update(struct al_sha256 *h, const void *buf, size_t len)
{
	if (len)
		gcry_md_write(h->md, buf, len);
}

void al_sha256_final(struct al_sha256 *h, char hex[AL_SHA256_HEX],
		     uint8_t raw[AL_SHA256_LEN])
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *d = gcry_md_read(h->md, GCRY_MD_SHA256);

	for (int i = 0; i < AL_SHA256_LEN; i++) {
		if (hex) {
			hex[2 * i] = digits[d[i] >> 4];
			hex[2 * i + 1] = digits[d[i] & 15];
		}
		if (raw)
			raw[i] = d[i];
	}
	if (hex)
		hex[64] = '\0';
}

void al_sha256_free(struct al_sha256 *h)
{
	if (!h)
		return;
	gcry_md_close(h->md);
	free(h);
}

void al_sha256_hex(const void *buf, size_t len, char hex[AL_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[AL_SHA256_LEN];

	al_hash_init();
	gcry_md_hash_buffer(GCRY_MD_SHA256, d, buf, len);
	for (int i = 0; i < AL_SHA256_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

int al_sha256_fd(int fd, char hex[AL_SHA256_HEX], uint64_t *size,
		 const char *what, struct al_error *err)
{
	struct al_sha256 *h = NULL;
	char *buf = NULL;
	int rc = 0;

	*size = 0;
	buf = malloc(64 * 1024);
	if (!buf)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if ((rc = al_sha256_new(&h, err)) < 0)
		goto out;
	for (;;) {
		ssize_t r = read(fd, buf, 64 * 1024);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = al_error_set(err, AL_EIO, "%s: %s", what,
					  strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		al_sha256_update(h, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	al_sha256_final(h, hex, NULL);
out:
	al_sha256_free(h);
	free(buf);
	return rc;
}
