/* SPDX-License-Identifier: Apache-2.0 */
#include "gpg_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "al_gpg.h"

#define FX_MAX_ARGS 40

static int make_home(char path[FX_HOME])
{
	char conf[FX_HOME + 32];

	snprintf(path, FX_HOME, "/tmp/al-gpg-XXXXXX");
	if (!mkdtemp(path) || chmod(path, 0700) != 0)
		return -1;
	/* The fixture's gpg passes passphrases by loopback; the code under
	 * test never gets a pinentry (nothing pops up, and a key with a
	 * passphrase shows what happens when the agent cannot ask). */
	snprintf(conf, sizeof(conf), "%s/gpg-agent.conf", path);
	if (gpg_fixture_write(conf, FX_AGENT_CONF, strlen(FX_AGENT_CONF)) != 0)
		return -1;
	/* A gpg left to itself would fetch unknown signers' keys; the code
	 * under test must stop it.  Should anything start dirmngr, let it
	 * find nothing to reach. */
	snprintf(conf, sizeof(conf), "%s/gpg.conf", path);
	if (gpg_fixture_write(conf, "auto-key-retrieve\n", 18) != 0)
		return -1;
	snprintf(conf, sizeof(conf), "%s/dirmngr.conf", path);
	return gpg_fixture_write(conf, "keyserver hkp://127.0.0.1:1\n", 28);
}

int gpg_fixture_init(struct gpg_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	if (make_home(fx->home) != 0 || make_home(fx->other) != 0)
		return -1;
	snprintf(fx->work, sizeof(fx->work), "%s/work", fx->home);
	return mkdir(fx->work, 0700);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

void gpg_fixture_free(struct gpg_fixture *fx)
{
	const char *kill[] = {"gpgconf", "--kill", "all", NULL};
	char *homes[] = {fx->home, fx->other};

	for (size_t i = 0; i < 2; i++) {
		if (!homes[i][0])
			continue;
		gpg_fixture_exec(homes[i], NULL, NULL, kill);
		nftw(homes[i], rm_one, 16, FTW_DEPTH | FTW_PHYS);
		homes[i][0] = '\0';
	}
}

static int redirect(const char *path, int flags, int to)
{
	int fd = open(path ? path : "/dev/null", flags, 0600);

	if (fd < 0 || dup2(fd, to) < 0)
		return -1;
	close(fd);
	return 0;
}

int gpg_fixture_exec(const char *home, const char *in, const char *out,
		     const char *const *argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setenv("GNUPGHOME", home, 1) != 0 ||
		    redirect(in, O_RDONLY, 0) != 0 ||
		    redirect(out, O_WRONLY | O_CREAT | O_TRUNC, 1) != 0 ||
		    (!getenv("AL_TEST_VERBOSE") &&
		     redirect(NULL, O_WRONLY, 2) != 0))
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_v(const char *home, const char *in, const char *out,
		 const char *faked, const char *passphrase, va_list ap)
{
	const char *argv[FX_MAX_ARGS];
	size_t n = 0;
	const char *a;

	argv[n++] = "gpg";
	argv[n++] = "--batch";
	argv[n++] = "--no-tty";
	argv[n++] = "--pinentry-mode";
	argv[n++] = "loopback";
	argv[n++] = "--passphrase";
	argv[n++] = passphrase;
	if (faked) {
		argv[n++] = "--faked-system-time";
		argv[n++] = faked;
	}
	while ((a = va_arg(ap, const char *)) != NULL) {
		if (n == FX_MAX_ARGS - 1)
			return -1;
		argv[n++] = a;
	}
	argv[n] = NULL;
	return gpg_fixture_exec(home, in, out, argv);
}

int gpg_fixture_run(const char *home, const char *in, const char *out, ...)
{
	va_list ap;
	int rc;

	va_start(ap, out);
	rc = run_v(home, in, out, NULL, "", ap);
	va_end(ap);
	return rc;
}

int gpg_fixture_run_at(const char *home, const char *faked, const char *in,
		       const char *out, ...)
{
	va_list ap;
	int rc;

	va_start(ap, out);
	rc = run_v(home, in, out, faked, "", ap);
	va_end(ap);
	return rc;
}

static int run_as(const char *home, const char *faked, const char *passphrase,
		  ...) __attribute__((sentinel));

/* gpg at a faked time with a passphrase, no input or output. */
static int run_as(const char *home, const char *faked, const char *passphrase,
		  ...)
{
	va_list ap;
	int rc;

	va_start(ap, passphrase);
	rc = run_v(home, NULL, NULL, faked, passphrase, ap);
	va_end(ap);
	return rc;
}

/* The n-th "fpr" record of a colon listing of uid (0 = primary). */
static int list_fprs(const char *home, const char *uid, char fprs[][FX_FPR],
		     size_t max, size_t *count)
{
	char path[FX_PATH + 16], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/listing", home);
	if (gpg_fixture_run(home, NULL, path, "--with-colons", "--fingerprint",
			    "--list-keys", uid, NULL) != 0)
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	*count = 0;
	while (fgets(line, sizeof(line), f) && *count < max) {
		const char *p = line;

		if (strncmp(line, "fpr:", 4) != 0)
			continue;
		for (int field = 0; field < 9 && p; field++) {
			p = strchr(p, ':');
			if (p)
				p++;
		}
		if (!p || strlen(p) < 40)
			continue;
		memcpy(fprs[*count], p, 40);
		fprs[*count][40] = '\0';
		(*count)++;
	}
	fclose(f);
	unlink(path);
	return *count > 0 ? 0 : -1;
}

int gpg_fixture_key(const char *home, const char *name, const char *subkeys,
		    const char *faked_time, char fpr[FX_FPR],
		    char sub[][FX_FPR])
{
	return gpg_fixture_key_ex(home, name, subkeys, faked_time, "1d", "",
				  fpr, sub);
}

int gpg_fixture_key_ex(const char *home, const char *name, const char *subkeys,
		       const char *faked_time, const char *expire,
		       const char *passphrase, char fpr[FX_FPR],
		       char sub[][FX_FPR])
{
	char uid[128], fprs[5][FX_FPR];
	size_t count = 0;

	snprintf(uid, sizeof(uid), "%s <%s@example.org>", name, name);
	if (run_as(home, faked_time, passphrase, "--quick-gen-key", uid,
		   "ed25519", "sign", expire, NULL) != 0)
		return -1;
	if (list_fprs(home, uid, fprs, 1, &count) != 0)
		return -1;
	memcpy(fpr, fprs[0], FX_FPR);
	for (const char *s = subkeys ? subkeys : ""; *s; s++) {
		const char *algo = *s == 'e' ? "cv25519" : "ed25519";
		const char *use = *s == 'e' ? "encr" : "sign";

		if (run_as(home, faked_time, passphrase, "--quick-add-key", fpr,
			   algo, use, expire, NULL) != 0)
			return -1;
	}
	if (list_fprs(home, uid, fprs, 5, &count) != 0 ||
	    count != 1 + strlen(subkeys ? subkeys : ""))
		return -1;
	for (size_t i = 1; sub && i < count; i++)
		memcpy(sub[i - 1], fprs[i], FX_FPR);
	return 0;
}

int gpg_fixture_copy_public(const char *from, const char *to, const char *fpr)
{
	char path[FX_PATH + 16];
	int rc;

	snprintf(path, sizeof(path), "%s/export", to);
	rc = gpg_fixture_run(from, NULL, path, "--export", fpr, NULL);
	if (rc == 0)
		rc = gpg_fixture_run(to, path, NULL, "--import", NULL);
	unlink(path);
	return rc == 0 ? 0 : -1;
}

int gpg_fixture_revoke(const char *home, const char *fpr)
{
	char path[FX_PATH + 80], fixed[FX_PATH + 16];
	size_t len = 0;
	char *text;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/openpgp-revocs.d/%s.rev", home, fpr);
	snprintf(fixed, sizeof(fixed), "%s/revoke.asc", home);
	text = gpg_fixture_read(path, &len);
	if (!text)
		return -1;
	/* gpg guards the certificate with a ':' before the armor line;
	 * taking it away is what makes it importable. */
	for (char *p = strstr(text, ":-----BEGIN"); p; p = NULL) {
		memmove(p, p + 1, len - (size_t)(p - text));
		len--;
	}
	if (gpg_fixture_write(fixed, text, len) == 0)
		rc = gpg_fixture_run(home, fixed, NULL, "--yes", "--import",
				     NULL);
	free(text);
	unlink(fixed);
	return rc == 0 ? 0 : -1;
}

const char *gpg_fixture_path(const struct gpg_fixture *fx, const char *name,
			     char buf[FX_PATH])
{
	snprintf(buf, FX_PATH, "%s/%s", fx->work, name);
	return buf;
}

int gpg_fixture_write(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (!f)
		return -1;
	rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

char *gpg_fixture_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = NULL;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		if (cap >= 64u << 20) {
			free(buf);
			buf = NULL;
			break;
		}
		char *bigger = realloc(buf, cap * 2 + 1);

		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int gpg_fixture_session(struct gpg_fixture *fx, int (*make_keys)(void),
			struct al_gpg **g)
{
	struct al_error err;

	*g = NULL;
	if (gpg_fixture_init(fx) != 0)
		return -1;
	if (setenv("GNUPGHOME", fx->home, 1) != 0)
		return -1;
	if (make_keys() != 0) {
		fprintf(stderr, "# cannot make the test keys\n");
		return -1;
	}
	if (al_gpg_new(g, &err) != 0) {
		fprintf(stderr, "# al_gpg_new: %s\n", err.msg);
		return -1;
	}
	return 0;
}

void gpg_fixture_session_end(struct gpg_fixture *fx, struct al_gpg *g)
{
	al_gpg_free(g);
	gpg_fixture_free(fx);
}

int gpg_fixture_dirmngr_seen(const struct gpg_fixture *fx, const char *home)
{
	const char *argv[] = {"gpgconf", "--list-dirs", "dirmngr-socket", NULL};
	char p[FX_PATH], *sock;
	struct dirent *de;
	int seen;
	DIR *proc;

	gpg_fixture_path(fx, "sockdir", p);
	if (gpg_fixture_exec(home, NULL, p, argv) != 0 ||
	    !(sock = gpg_fixture_read(p, NULL)))
		return -1;
	sock[strcspn(sock, "\n")] = '\0';
	if (!strstr(sock, "S.dirmngr")) {
		free(sock);
		return -1;
	}
	seen = access(sock, F_OK) == 0;
	free(sock);
	snprintf(p, sizeof(p), "%s/crls.d", home);
	seen = seen || access(p, F_OK) == 0;
	if (!(proc = opendir("/proc")))
		return -1;
	while (!seen && (de = readdir(proc)) != NULL) {
		char path[300];
		size_t len = 0;
		char *cmd;

		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		cmd = gpg_fixture_read(path, &len);
		if (!cmd)
			continue;
		for (size_t i = 0; i < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		seen = strstr(cmd, "dirmngr") && strstr(cmd, home);
		free(cmd);
	}
	closedir(proc);
	return seen;
}
