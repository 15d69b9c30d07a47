/*
 * Configuration as one table {name, type, target, default, help}
 * (STYLE.md): every option can be given on the command line (--name VALUE)
 * or in the environment (TREMPLIN_NAME), the command line winning; --help
 * prints the table.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stdio.h>

enum config_type {
	CONFIG_STRING, /* target: const char ** */
	CONFIG_UINT, /* target: unsigned * */
	CONFIG_SIZE, /* target: size_t * (accepts K and M suffixes) */
	CONFIG_FLAG, /* target: int *; no value on the command line */
};

struct config_option {
	const char *name; /* "port": --port, TREMPLIN_PORT */
	enum config_type type;
	void *target;
	const char *def; /* default as text, NULL for none */
	const char *help;
};

/*
 * Set every target from its default, then the environment, then argv
 * (argv[0] is the command name, not an option). 0, or -1 after printing one
 * clear line on stderr. *help is set when --help or -h was given.
 */
int config_parse(const struct config_option *opts, size_t n, int argc, char **argv, int *help);

/* Print the options, their environment names and defaults. */
void config_usage(const struct config_option *opts, size_t n, FILE *out);

#endif
