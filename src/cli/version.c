/*
 * version.c: the version string, from `git describe` at build time (see
 * the Makefile); rebuilt on every build so it never goes stale.
 */
#include <stdio.h>

#include "cli/cli.h"

#ifndef ELBSHIP_VERSION
#define ELBSHIP_VERSION "0.0.0-unknown"
#endif

const char elbship_version[] = ELBSHIP_VERSION;
