/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for al_pgp_scan: any bytes, as the whole file and as
 * the head of a longer one.  Besides the sanitizers' findings it checks
 * what the contract promises: info zeroed on a refusal and consistent on
 * success, a head that passes also passing as the whole file (and the
 * reverse), and a message that passes still passing with bytes after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_pgp_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_info(int rc, const struct al_error *err,
		       const struct al_pgp_info *info)
{
	static const struct al_pgp_info zero;

	if (rc != 0) {
		if (rc != AL_EINVAL || err->code != AL_EINVAL ||
		    err->msg[0] == '\0')
			abort();
		if (memcmp(info, &zero, sizeof(zero)) != 0)
			abort(); /* zeroed on failure */
		return;
	}
	if (info->npkesk == 0 || (info->data_tag != 18 && info->data_tag != 20))
		abort();
	if (info->nkeyids != (info->npkesk < AL_PGP_SCAN_MAX_KEYIDS
				      ? info->npkesk
				      : AL_PGP_SCAN_MAX_KEYIDS))
		abort();
	if (info->data_tag == 18
		    ? info->seipd_version != 1 && info->seipd_version != 2
		    : info->seipd_version != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_pgp_info whole, head, more;
	struct al_error err;
	uint8_t *longer;
	int rc_whole, rc_head, rc;

	rc_whole = al_pgp_scan(data, size, true, &whole, &err);
	check_info(rc_whole, &err, &whole);
	rc_head = al_pgp_scan(data, size, false, &head, &err);
	check_info(rc_head, &err, &head);
	/* Whole or head, the bytes decide the same way when they succeed. */
	if ((rc_whole == 0) != (rc_head == 0))
		abort();
	if (rc_whole == 0 && memcmp(&whole, &head, sizeof(whole)) != 0)
		abort();
	if (rc_whole != 0)
		return 0;
	/* What follows an accepted head does not matter. */
	longer = malloc(size + 64);
	if (!longer)
		return 0;
	memcpy(longer, data, size);
	memset(longer + size, 0xff, 64);
	rc = al_pgp_scan(longer, size + 64, true, &more, &err);
	if (rc != 0 || memcmp(&whole, &more, sizeof(whole)) != 0)
		abort();
	free(longer);
	return 0;
}
