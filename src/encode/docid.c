/*
 * docid.c: deterministic document ids.  See docid.h.
 */
#include <openssl/sha.h>

#include "encode/docid.h"
#include "encode/jsonw.h"
#include "util/hex.h"

/**
 * docid_identity(name): see docid.h.
 */
struct slice
docid_identity(struct slice name)
{
	const char *b = name.p + name.n;

	while (b > name.p && b[-1] != '/')
		b--;
	name.n -= (size_t)(b - name.p);
	name.p = b;
	if (name.n > 3 && memcmp(name.p + name.n - 3, ".gz", 3) == 0)
		name.n -= 3;
	return name;
}

/**
 * docid_base(identity, out): see docid.h.
 */
void
docid_base(struct slice identity, char out[DOCID_BASE_LEN])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)identity.p, identity.n, md);
	hex_lower(md, DOCID_BASE_LEN / 2, out);
}

/**
 * docid_make(base, offset, out): see docid.h.
 */
size_t
docid_make(const char base[DOCID_BASE_LEN], uint64_t offset,
    char out[DOCID_MAX])
{
	char *o = out;

	memcpy(o, base, DOCID_BASE_LEN);
	o += DOCID_BASE_LEN;
	*o++ = '-';
	o = jsonw_u64(o, offset);
	*o = '\0';
	return (size_t)(o - out);
}
