/*
 * sinks.h: the one place a sink is opened from settings, for the CLI and
 * the Lambda function alike (after curl's table of TLS backends): a
 * registry of backends, each saying whether the settings ask for it and
 * how to open it.  Adding a sink is a new file under src/sink/ and one
 * line (and its open function) in sinks.c.
 */
#ifndef ELBSHIP_SINKS_H
#define ELBSHIP_SINKS_H

#include "aws/provider.h"
#include "core/settings.h"
#include "sink/beats.h"
#include "sink/es.h"
#include "sink/lstcp.h"
#include "sink/sink.h"

/*
 * What the caller gives and keeps: where local output goes, the AWS
 * credentials and region (SigV4 to OpenSearch), a hook for messages; and
 * the room where the chosen backend keeps what must outlive the sink.
 * Owned by the caller; must outlive the sink.
 */
struct sink_env {
	int fd;				/* local output */
	const char *name;		/* its name in messages ("stdout", path) */
	struct aws_provider *aws;	/* for --es-aws-sigv4 */
	const char *region;		/* for --es-aws-sigv4; NULL: not known */
	/* kept for the sink's life (filled by sinks_open()) */
	struct sink_conn tcp;
	struct beats_config beats;
	struct es_sigv4 sigv4;
};

/**
 * sinks_kind(st): the name of the backend the settings ${st} ask for
 * ("elasticsearch", "logstash-http", "logstash-tcp", "logstash-beats",
 * "local"), without opening anything.
 */
const char *sinks_kind(const struct settings *st);

/**
 * sinks_open(st, env, err, cap): open the sink the settings ${st} ask
 * for (${st} and ${env} must outlive it).  NULL with a message in ${err}
 * if the settings are unusable.
 */
struct sink *sinks_open(struct settings *st, struct sink_env *env,
    char *err, size_t cap);

#endif
