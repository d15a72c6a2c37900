/*
 * secrets.h: read a secret value from AWS Secrets Manager or SSM Parameter
 * Store, so passwords and API keys need not sit in plain environment
 * variables (or flags, which show in `ps`).
 *
 * A reference is one of:
 *   arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME        (GetSecretValue)
 *   arn:aws:secretsmanager:...:secret:NAME#KEY               (a key of a JSON secret)
 *   arn:aws:ssm:REGION:ACCOUNT:parameter/NAME                (GetParameter, decrypted)
 *   ssm:/NAME  or  /NAME                                      (SSM, the default region)
 * Endpoints follow the AWS SDKs: https://secretsmanager.REGION.amazonaws.com
 * and https://ssm.REGION.amazonaws.com, overridden (tests, VPC endpoints)
 * by AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_SSM.
 */
#ifndef ELBSHIP_SECRETS_H
#define ELBSHIP_SECRETS_H

#include <stddef.h>

#include "aws/httpsign.h"

/**
 * aws_secret_fetch(ref, region, creds, out, err, cap): fetch the secret
 * ${ref} (region from the ARN, else ${region}) signing with ${creds}.
 * Returns 0 with a new string in *${out} (the caller wipes and frees it),
 * or -1 with a message naming ${ref} and the cause, never the value.
 */
int aws_secret_fetch(const char *ref, const char *region,
    const struct httpsign_creds *creds, char **out, char *err, size_t cap);

/** aws_secret_is_ref(s): 1 if ${s} looks like a reference as above. */
int aws_secret_is_ref(const char *s);

#endif
