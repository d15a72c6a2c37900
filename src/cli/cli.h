/*
 * cli.h: the elbship command line (front end).  main.c dispatches to one
 * function per subcommand; each returns the process exit status.
 */
#ifndef ELBSHIP_CLI_H
#define ELBSHIP_CLI_H

#include <stdio.h>

/* Exit statuses, documented in `elbship --help` and the README. */
enum {
	EXIT_OK = 0,		/* everything read and written */
	EXIT_INPUT = 1,		/* some input could not be read completely */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_MALFORMED = 3,	/* --strict and some lines were malformed */
	EXIT_OUTPUT = 4,	/* the output could not be written */
	EXIT_UNDELIVERED = 5,	/* some documents were not delivered */
	EXIT_INTERRUPTED = 6	/* SIGINT or SIGTERM */
};

extern const char elbship_version[];

int cmd_ship(int argc, char **argv);
int cmd_lambda(int argc, char **argv);
void ship_usage(FILE *f);
int cmd_setup(int argc, char **argv);
void setup_usage(FILE *f);
int cmd_enqueue(int argc, char **argv);
void enqueue_usage(FILE *f);

#endif
