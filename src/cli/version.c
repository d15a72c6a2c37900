/*
 * version.c: the version string, from scripts/version.sh (the VERSION file
 * and git) at build time (see the Makefile); rebuilt on every build so it
 * never goes stale.
 */
#include <stdio.h>

#include "cli/cli.h"

#ifndef ELBSHIP_VERSION
#define ELBSHIP_VERSION "0.0.0-unknown"
#endif

const char elbship_version[] = ELBSHIP_VERSION;
