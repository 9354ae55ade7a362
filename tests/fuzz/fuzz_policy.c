/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for policy.json: al_policy_parse and release. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_policy p;
	struct al_error err;

	if (al_policy_parse((const char *)data, size, &p, &err) == 0) {
		/* every field holds a value, and they are consistent */
		if (!p.project || p.nrecipients == 0 || !p.recipients[0] ||
		    strlen(p.sha256) != 64 || p.limits.entries == 0)
			abort();
		for (size_t i = 0; i < p.nin_scope; i++)
			if (!al_policy_in_scope(&p, p.in_scope[i]))
				abort();
	} else if (err.msg[0] == '\0') {
		abort(); /* a refusal always says why */
	}
	al_policy_release(&p);
	return 0;
}
