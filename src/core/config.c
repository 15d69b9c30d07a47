/*
 * One parser for every command, so that an option behaves the same
 * everywhere and errors read the same.
 */
#include "core/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/banned.h"

static void env_name(struct buf *out, const char *name)
{
	buf_adds(out, "TREMPLIN_");
	for (const char *p = name; *p; p++)
		buf_addch(out, *p == '-' ? '_' : (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p);
}

static int parse_number(const char *value, int allow_suffix, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (!*value || *value == '-')
		return -1;
	unsigned long long n = strtoull(value, &end, 10);
	if (errno)
		return -1;
	if (allow_suffix && (*end == 'K' || *end == 'k')) {
		n *= 1024;
		end++;
	} else if (allow_suffix && (*end == 'M' || *end == 'm')) {
		n *= 1024 * 1024;
		end++;
	}
	if (*end)
		return -1;
	*out = n;
	return 0;
}

static int set_value(const struct config_option *o, const char *value, const char *from)
{
	unsigned long long n;
	switch (o->type) {
	case CONFIG_STRING:
		*(const char **)o->target = value;
		return 0;
	case CONFIG_FLAG:
		*(int *)o->target = !strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes");
		return 0;
	case CONFIG_UINT:
		if (parse_number(value, 0, &n) < 0 || n > 0xffffffffu)
			return error("%s: '%s' is not a whole number", from, value);
		*(unsigned *)o->target = (unsigned)n;
		return 0;
	case CONFIG_SIZE:
		if (parse_number(value, 1, &n) < 0)
			return error("%s: '%s' is not a size (e.g. 65536, 64K, 2M)", from, value);
		*(size_t *)o->target = (size_t)n;
		return 0;
	}
	BUG("unknown option type");
}

/* "--access-log 0" as well as "--access-log" and "--access-log=0". */
static int is_flag_word(const char *s)
{
	static const char *const words[] = { "0", "1", "true", "false", "yes", "no" };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(s, words[i]))
			return 1;
	return 0;
}

static const struct config_option *find(const struct config_option *opts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

static int parse_defaults_and_env(const struct config_option *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (opts[i].def && set_value(&opts[i], opts[i].def, "default") < 0)
			BUG("bad default value");
		struct buf env = BUF_INIT;
		env_name(&env, opts[i].name);
		const char *v = getenv(env.ptr);
		int rc = v && *v ? set_value(&opts[i], v, env.ptr) : 0;
		buf_release(&env);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int config_parse(const struct config_option *opts, size_t n, int argc, char **argv, int *help)
{
	*help = 0;
	if (parse_defaults_and_env(opts, n) < 0)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			*help = 1;
			continue;
		}
		if (strncmp(arg, "--", 2))
			return error("unexpected argument '%s' (see --help)", arg);
		const char *eq = strchr(arg + 2, '=');
		char name[64];
		size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		if (len >= sizeof(name))
			return error("unknown option '%s' (see --help)", arg);
		memcpy(name, arg + 2, len);
		name[len] = '\0';
		const struct config_option *o = find(opts, n, name);
		if (!o)
			return error("unknown option '--%s' (see --help)", name);
		const char *value = eq ? eq + 1 : NULL;
		if (!value && o->type == CONFIG_FLAG)
			value = i + 1 < argc && is_flag_word(argv[i + 1]) ? argv[++i] : "1";
		if (!value && ++i < argc)
			value = argv[i];
		if (!value)
			return error("option '--%s' needs a value", name);
		if (set_value(o, value, arg) < 0)
			return -1;
	}
	return 0;
}

void config_usage(const struct config_option *opts, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		struct buf env = BUF_INIT;
		env_name(&env, opts[i].name);
		fprintf(out, "  --%-18s %s\n  %-20s (env %s%s%s)\n", opts[i].name, opts[i].help, "",
			env.ptr, opts[i].def ? ", default " : "", opts[i].def ? opts[i].def : "");
		buf_release(&env);
	}
}
