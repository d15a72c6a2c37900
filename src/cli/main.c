/*
 * main.c: `elbship COMMAND ...`: dispatch to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/settings.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: elbship COMMAND [OPTIONS] [ARGS]\n"
"\n"
"Ship AWS load balancer logs (ALB, Classic ELB, NLB, ALB connection logs)\n"
"to the Elastic Stack as ECS documents.\n"
"\n"
"Commands:\n"
"  ship PATH...     parse log files, directories or - (stdin) into ECS\n"
"                   NDJSON (stdout by default)\n"
"  setup            install the index templates and ILM policy in\n"
"                   Elasticsearch / OpenSearch (--es URL)\n"
"  enqueue --queue-url URL s3://bucket/prefix/\n"
"                   backfill through the deployed function: send each ELB\n"
"                   log's S3 notification to its SQS queue\n"
"  lambda           serve the AWS Lambda Runtime API (what the function's\n"
"                   `bootstrap` does; configured by ELBSHIP_* variables,\n"
"                   see docs/configuration.md)\n"
"  help [COMMAND]   show help for a command; `help environment` lists\n"
"                   every ELBSHIP_* variable as a Markdown table\n"
"\n"
"Options:\n"
"  -h, --help       show this help\n"
"  -V, --version    print the version\n"
"\n"
"Run `elbship ship --help` for the options of ship and the exit statuses.\n");
}

int
main(int argc, char **argv)
{
	const char *cmd, *base = strrchr(argv[0], '/');

	/*
	 * Started by Lambda as /var/task/bootstrap (no arguments): serve the
	 * Runtime API.  With arguments (bootstrap --version) it is the CLI.
	 */
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "bootstrap") == 0 && argc == 1)
		return cmd_lambda(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 ||
	    strcmp(cmd, "version") == 0) {
		printf("elbship %s\n", elbship_version);
		return EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(argv[2], "ship") == 0)
			ship_usage(stdout);
		else if (argc > 2 && strcmp(argv[2], "setup") == 0)
			setup_usage(stdout);
		else if (argc > 2 && strcmp(argv[2], "enqueue") == 0)
			enqueue_usage(stdout);
		else if (argc > 2 && strcmp(argv[2], "environment") == 0)
			settings_env_table(stdout);
		else
			usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "ship") == 0)
		return cmd_ship(argc - 1, argv + 1);
	if (strcmp(cmd, "enqueue") == 0)
		return cmd_enqueue(argc - 1, argv + 1);
	if (strcmp(cmd, "lambda") == 0)
		return cmd_lambda(argc - 1, argv + 1);
	if (strcmp(cmd, "setup") == 0)
		return cmd_setup(argc - 1, argv + 1);
	if (cmd[0] == '-')
		fprintf(stderr, "elbship: unknown option '%s' (try "
		    "'elbship --help')\n", cmd);
	else
		fprintf(stderr, "elbship: unknown command '%s' (try "
		    "'elbship --help')\n", cmd);
	return EXIT_USAGE;
}
