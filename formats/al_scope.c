/* SPDX-License-Identifier: Apache-2.0 */
#include "al_scope.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "al_vrange.h"

static unsigned line(al_line_fn line_of, void *ctx, const char *key,
		     size_t index)
{
	return line_of ? line_of(ctx, key, index) : 0;
}

static void join_list(char *const *v, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o < outsz; i++) {
		int w = snprintf(out + o, outsz - o, "%s%s", i ? ", " : "",
				 v[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static int empty_value(const json_t *v)
{
	if (!v || json_is_null(v))
		return 1;
	if (json_is_string(v))
		return json_string_length(v) == 0;
	if (json_is_array(v))
		return json_array_size(v) == 0;
	if (json_is_object(v))
		return json_object_size(v) == 0;
	return 0;
}

/* Does a "supported" entry name this affected entry's package?  Entries
 * without a package apply to all. */
static int same_package(const json_t *supported, const json_t *affected)
{
	const json_t *sp = json_object_get(supported, "package");
	const json_t *ap = json_object_get(affected, "package");
	const char *se, *sn, *ae, *an;

	if (!sp)
		return 1;
	se = json_string_value(json_object_get(sp, "ecosystem"));
	sn = json_string_value(json_object_get(sp, "name"));
	ae = json_string_value(json_object_get(ap, "ecosystem"));
	an = json_string_value(json_object_get(ap, "name"));
	if (!se || !sn || !ae || !an)
		return 0;
	return strcasecmp(se, ae) == 0 && strcmp(sn, an) == 0;
}

static int check_supported(const struct al_policy *p, const json_t *m,
			   al_line_fn line_of, void *ctx,
			   struct al_problems *probs)
{
	const json_t *affected = json_object_get(m, "affected");
	size_t i, j;
	const json_t *a, *s;
	int added = 0;

	if (!p->supported || !json_is_array(affected))
		return 0;
	json_array_foreach(affected, i, a)
	{
		struct al_vset *aset = NULL;
		struct al_error err;
		int matched = 0, overlap = 0;
		const json_t *pkg = json_object_get(a, "package");
		const char *eco = json_string_value(
				   json_object_get(pkg, "ecosystem")),
			   *name = json_string_value(
				   json_object_get(pkg, "name"));

		if (al_vset_from_osv(a, &aset, &err) < 0)
			continue; /* reported by the manifest check */
		json_array_foreach(p->supported, j, s)
		{
			struct al_vset *sset = NULL;
			bool ov = false;

			if (!same_package(s, a))
				continue;
			matched = 1;
			if (al_vset_from_osv(s, &sset, &err) < 0)
				continue;
			if (al_vset_overlaps(aset, sset, &ov, &err) == 0 && ov)
				overlap = 1;
			al_vset_free(sset);
		}
		al_vset_free(aset);
		if (!matched) {
			al_problems_add(probs,
					line(line_of, ctx, "affected", i),
					"package '%s/%s' is not one the policy "
					"supports",
					eco ? eco : "?", name ? name : "?");
			added = 1;
		} else if (!overlap) {
			al_problems_add(probs,
					line(line_of, ctx, "affected", i),
					"affected versions of '%s/%s' are all "
					"outside the versions the policy "
					"supports (report against a supported "
					"release)",
					eco ? eco : "?", name ? name : "?");
			added = 1;
		}
	}
	return added;
}

static int listed(const char *const *list, const char *key)
{
	for (; list && *list; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

int al_scope_check(const struct al_policy *p, const json_t *m,
		   const char *const *skip_required, al_line_fn line_of,
		   void *ctx, struct al_problems *probs)
{
	size_t before = al_problems_count(probs);
	const char *project = json_string_value(json_object_get(m, "project"));
	const char *klass = json_string_value(json_object_get(m, "class"));
	char list[512];

	if (p->project && project && strcmp(project, p->project) != 0)
		al_problems_add(probs, line(line_of, ctx, "project", 0),
				"project '%s' is not this policy's project "
				"'%s'",
				project, p->project);
	if (klass && !al_policy_in_scope(p, klass)) {
		join_list(p->in_scope, p->nin_scope, list, sizeof(list));
		al_problems_add(probs, line(line_of, ctx, "class", 0),
				"class '%s' is out of the policy's scope "
				"(in scope: %s)",
				klass, list);
	}
	for (size_t i = 0; i < p->nrequired; i++) {
		const char *key = p->required[i];
		if (listed(skip_required, key))
			continue;
		if (empty_value(json_object_get(m, key)))
			al_problems_add(probs, line(line_of, ctx, key, 0),
					"the policy requires '%s', which is "
					"missing or empty",
					key);
	}
	check_supported(p, m, line_of, ctx, probs);
	return al_problems_count(probs) > before ? AL_EINVAL : 0;
}
