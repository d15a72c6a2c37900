/*
 * gunzip.c: streaming, multi-member gzip decoder on top of ISA-L's igzip.
 *
 * Why multi-member matters: AWS writes large ALB logs as several gzip
 * members concatenated in one object.  A decoder that stops at the first
 * member's end (the classic zlib inflate() loop that quits on Z_STREAM_END)
 * reports success and silently drops every later line.  Here, when a member
 * ends we check its trailer, then parse the next member's header from
 * whatever input follows, until the input runs out; anything after a member
 * that is not another gzip member is an error, never ignored.
 *
 * Why ISA-L and not zlib: igzip's inflate is several times faster than
 * zlib's on x86-64, and elbship's throughput target is set relative to
 * `igzip -dc`.
 *
 * How the member boundary is found: we parse each gzip header (RFC 1952,
 * section 2.3) ourselves, byte by byte, so that a header split across any
 * number of input chunks works and header errors carry an exact offset.  The
 * deflate data and the 8-byte trailer go to isal_inflate() with crc_flag =
 * ISAL_GZIP_NO_HDR_VER: isal then reads the trailer itself and consumes
 * input exactly up to the trailer's last byte, even across chunks (its bit
 * buffer never holds bytes of the next member).  With plain ISAL_DEFLATE,
 * isal would instead leave trailer bytes in its bit buffer, possibly bytes
 * that came from an earlier chunk which the caller no longer keeps.  We keep
 * the last 8 input bytes handed to isal, which at the end of a member are
 * the trailer, to tell a CRC-32 mismatch from an ISIZE mismatch and to check
 * the trailer once more ourselves.
 *
 * Memory: gunzip_new() makes the only allocation (this struct, which embeds
 * the isal inflate state and its 32 KiB window).  No global mutable state.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include "decode/gunzip.h"

/* Largest amount of input or output handed to one isal_inflate() call. */
#define ISAL_CHUNK_MAX ((size_t)1 << 30)

/* gzip header flag bits (RFC 1952). */
#define FLG_FHCRC 0x02
#define FLG_FEXTRA 0x04
#define FLG_FNAME 0x08
#define FLG_FCOMMENT 0x10
#define FLG_RESERVED 0xe0

#define GZIP_FIXED_LEN 10	/* ID1 ID2 CM FLG MTIME(4) XFL OS */
#define GZIP_TRAILER_LEN 8	/* CRC32 ISIZE */

enum phase {
	PHASE_HEADER,		/* reading a member's header (or between members) */
	PHASE_BODY,		/* isal is inflating deflate data and trailer */
	PHASE_ERROR		/* stuck until gunzip_reset() */
};

/* Which header field comes next. */
enum hstep {
	HSTEP_FIXED,
	HSTEP_XLEN,
	HSTEP_EXTRA,
	HSTEP_NAME,
	HSTEP_COMMENT,
	HSTEP_HCRC
};

struct gunzip {
	/* Borrowed input not yet consumed. */
	const uint8_t *in;
	size_t in_len;

	enum phase phase;

	/* Header parser. */
	enum hstep hstep;
	size_t hgot;			/* bytes of the current field read */
	uint8_t hfixed[GZIP_FIXED_LEN];
	uint8_t hflg;
	uint32_t xlen;
	uint32_t hcrc;			/* CRC-32 of the header so far */
	uint8_t hcrc_stored[2];

	/* The last GZIP_TRAILER_LEN bytes given to isal, oldest first. */
	uint8_t tail[GZIP_TRAILER_LEN];

	/* Counters. */
	unsigned long members;		/* members completed */
	uint64_t member_start;		/* offset of the current member's header */
	uint64_t member_out;		/* bytes produced by the current member */
	uint64_t total_in;
	uint64_t total_out;

	char err[256];

	struct inflate_state st;
};

/* Store "corrupt gzip member N (starting at byte S): WHAT at compressed byte AT". */
static void
fail_member(struct gunzip *z, const char *what, uint64_t at)
{

	snprintf(z->err, sizeof(z->err), "corrupt gzip member %lu (starting at "
	    "byte %" PRIu64 "): %s at compressed byte %" PRIu64,
	    z->members + 1, z->member_start, what, at);
	z->phase = PHASE_ERROR;
}

/* Store the message for a bad magic number at offset ${at}. */
static void
fail_magic(struct gunzip *z, uint64_t at)
{

	if (z->members == 0) {
		fail_member(z, "not gzip (bad magic number)", at);
	} else {
		snprintf(z->err, sizeof(z->err), "trailing data after gzip "
		    "member %lu is not gzip (member %lu would start at byte %"
		    PRIu64 "): bad magic number at compressed byte %" PRIu64,
		    z->members, z->members + 1, z->member_start, at);
		z->phase = PHASE_ERROR;
	}
}

/* Store the message for input ending inside ${where} of the current member. */
static void
fail_truncated(struct gunzip *z, const char *where)
{

	snprintf(z->err, sizeof(z->err), "truncated gzip member %lu (starting "
	    "at byte %" PRIu64 "): input ends inside the %s at compressed byte %"
	    PRIu64, z->members + 1, z->member_start, where, z->total_in);
	z->phase = PHASE_ERROR;
}

/* Load a little-endian 32-bit value. */
static uint32_t
le32(const uint8_t *p)
{

	return ((uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	    ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
}

/* Note that ${n} bytes at ${p} went to isal: keep the last 8 in z->tail. */
static void
remember_tail(struct gunzip *z, const uint8_t *p, size_t n)
{

	if (n >= GZIP_TRAILER_LEN) {
		memcpy(z->tail, p + n - GZIP_TRAILER_LEN, GZIP_TRAILER_LEN);
	} else if (n > 0) {
		memmove(z->tail, z->tail + n, GZIP_TRAILER_LEN - n);
		memcpy(z->tail + GZIP_TRAILER_LEN - n, p, n);
	}
}

/*
 * Compare the trailer just consumed (z->tail) with the CRC and size of the
 * member's output.  Returns 0 if both match; otherwise stores the error and
 * returns -1.
 */
static int
check_trailer(struct gunzip *z)
{
	char what[128];
	uint32_t crc_stored = le32(z->tail);
	uint32_t isize_stored = le32(z->tail + 4);
	uint32_t isize = (uint32_t)(z->member_out & 0xffffffffU);
	int rc = -1;

	if (crc_stored != z->st.crc) {
		snprintf(what, sizeof(what), "CRC-32 mismatch (trailer says "
		    "%08" PRIx32 ", data has %08" PRIx32 ")", crc_stored,
		    z->st.crc);
		fail_member(z, what, z->total_in - GZIP_TRAILER_LEN);
		goto done;
	}
	if (isize_stored != isize) {
		snprintf(what, sizeof(what), "ISIZE mismatch (trailer says %"
		    PRIu32 " bytes, data has %" PRIu32 " mod 2^32)",
		    isize_stored, isize);
		fail_member(z, what, z->total_in - GZIP_TRAILER_LEN / 2);
		goto done;
	}
	rc = 0;

done:
	return rc;
}

/* Enter the next present optional header field, or start the body. */
static void
header_advance(struct gunzip *z)
{

	z->hgot = 0;
	switch (z->hstep) {
	case HSTEP_FIXED:
		if (z->hflg & FLG_FEXTRA) {
			z->hstep = HSTEP_XLEN;
			break;
		}
		/* FALLTHROUGH */
	case HSTEP_XLEN:
	case HSTEP_EXTRA:
		if (z->hflg & FLG_FNAME) {
			z->hstep = HSTEP_NAME;
			break;
		}
		/* FALLTHROUGH */
	case HSTEP_NAME:
		if (z->hflg & FLG_FCOMMENT) {
			z->hstep = HSTEP_COMMENT;
			break;
		}
		/* FALLTHROUGH */
	case HSTEP_COMMENT:
		if (z->hflg & FLG_FHCRC) {
			z->hstep = HSTEP_HCRC;
			break;
		}
		/* FALLTHROUGH */
	case HSTEP_HCRC:
		/* Header complete: inflate the deflate data and trailer. */
		isal_inflate_reset(&z->st);
		z->st.crc_flag = ISAL_GZIP_NO_HDR_VER;
		z->st.hist_bits = 0;
		z->member_out = 0;
		z->phase = PHASE_BODY;
		break;
	}
}

/*
 * Check header byte ${b} at offset ${at} in the fixed part (position
 * z->hgot).  Returns 0 if it is acceptable, else stores the error and
 * returns -1.
 */
static int
header_fixed_byte(struct gunzip *z, uint8_t b, uint64_t at)
{
	char what[64];
	int rc = -1;

	if ((z->hgot == 0 && b != 0x1f) || (z->hgot == 1 && b != 0x8b)) {
		fail_magic(z, at);
		goto done;
	}
	if (z->hgot == 2 && b != 8) {
		snprintf(what, sizeof(what), "unsupported compression method %u",
		    (unsigned)b);
		fail_member(z, what, at);
		goto done;
	}
	if (z->hgot == 3 && (b & FLG_RESERVED)) {
		snprintf(what, sizeof(what), "reserved header flag bits set "
		    "(flags %02x)", (unsigned)b);
		fail_member(z, what, at);
		goto done;
	}
	rc = 0;

done:
	return rc;
}

/*
 * Consume header bytes from the input until the header is complete (phase
 * becomes PHASE_BODY), the input is used up, or the header is bad (phase
 * becomes PHASE_ERROR).
 */
static void
header_read(struct gunzip *z)
{
	uint8_t b;
	uint64_t at;

	while (z->in_len > 0 && z->phase == PHASE_HEADER) {
		b = *z->in;
		at = z->total_in;
		if (z->hstep == HSTEP_FIXED && z->hgot == 0) {
			/* First byte of a new member. */
			z->member_start = at;
			z->hcrc = 0;
		}
		if (z->hstep == HSTEP_FIXED &&
		    header_fixed_byte(z, b, at) != 0)
			break;

		/* Consume the byte. */
		z->in++;
		z->in_len--;
		z->total_in++;
		if (z->hstep != HSTEP_HCRC)
			z->hcrc = crc32_gzip_refl(z->hcrc, &b, 1);

		switch (z->hstep) {
		case HSTEP_FIXED:
			z->hfixed[z->hgot++] = b;
			if (z->hgot == GZIP_FIXED_LEN) {
				z->hflg = z->hfixed[3];
				header_advance(z);
			}
			break;
		case HSTEP_XLEN:
			if (z->hgot++ == 0) {
				z->xlen = b;
				break;
			}
			z->xlen |= (uint32_t)b << 8;
			if (z->xlen == 0)
				header_advance(z);
			else {
				z->hstep = HSTEP_EXTRA;
				z->hgot = 0;
			}
			break;
		case HSTEP_EXTRA:
			if (++z->hgot == z->xlen)
				header_advance(z);
			break;
		case HSTEP_NAME:
		case HSTEP_COMMENT:
			if (b == 0)
				header_advance(z);
			break;
		case HSTEP_HCRC:
			z->hcrc_stored[z->hgot++] = b;
			if (z->hgot < 2)
				break;
			if (((uint32_t)z->hcrc_stored[0] |
			    ((uint32_t)z->hcrc_stored[1] << 8)) !=
			    (z->hcrc & 0xffff)) {
				fail_member(z, "header CRC mismatch", at - 1);
				break;
			}
			header_advance(z);
			break;
		}
	}
}

/*
 * Run isal_inflate() once on the pending input, writing at most ${room}
 * bytes to ${out}; add the number written to *${made}.  Returns 0 to go on,
 * 1 if all input is used up and the member is not finished, or -1 on error
 * (stored, phase PHASE_ERROR).  On a member's end, checks its trailer and
 * returns to PHASE_HEADER for the next member.
 */
static int
body_inflate(struct gunzip *z, uint8_t *out, size_t room, size_t *made)
{
	struct inflate_state *st = &z->st;
	const uint8_t *in = z->in;
	uint32_t give_in, give_out;
	size_t used, wrote;
	uint64_t at;
	char what[64];
	int ret;
	int rc = -1;

	give_in = (uint32_t)(z->in_len < ISAL_CHUNK_MAX ?
	    z->in_len : ISAL_CHUNK_MAX);
	give_out = (uint32_t)(room < ISAL_CHUNK_MAX ? room : ISAL_CHUNK_MAX);
	st->next_in = (uint8_t *)(uintptr_t)in;
	st->avail_in = give_in;
	st->next_out = out;
	st->avail_out = give_out;

	ret = isal_inflate(st);

	/*
	 * On an error isal may leave avail_in/avail_out out of range (seen:
	 * 0xFFFFFFFF); never trust them beyond what was given.
	 */
	used = st->avail_in <= give_in ? give_in - st->avail_in : give_in;
	wrote = st->avail_out <= give_out ? give_out - st->avail_out : 0;
	if (ret < 0 && ret != ISAL_INCORRECT_CHECKSUM) {
		/*
		 * What isal wrote in the call that failed may be copied from
		 * before the start of the stream (ISAL_INVALID_LOOKBACK): it is
		 * not output.
		 */
		wrote = 0;
	}
	remember_tail(z, in, used);
	z->in += used;
	z->in_len -= used;
	z->total_in += used;
	z->member_out += wrote;
	z->total_out += wrote;
	*made += wrote;

	if (ret == ISAL_INCORRECT_CHECKSUM) {
		/* isal consumed the whole trailer; say which half is wrong. */
		if (check_trailer(z) == 0)
			fail_member(z, "trailer check failed",
			    z->total_in - GZIP_TRAILER_LEN);
		goto done;
	}
	if (ret < 0) {
		/*
		 * Point at the byte holding the first bit isal had not
		 * decoded yet: it was reading there when it gave up.
		 */
		at = z->total_in;
		if (st->read_in_length > 0)
			at -= ((uint64_t)st->read_in_length + 7) / 8;
		if (at < z->member_start)
			at = z->member_start;
		switch (ret) {
		case ISAL_INVALID_BLOCK:
			fail_member(z, "invalid deflate block", at);
			break;
		case ISAL_INVALID_SYMBOL:
			fail_member(z, "invalid deflate symbol", at);
			break;
		case ISAL_INVALID_LOOKBACK:
			fail_member(z, "invalid deflate distance (too far back)",
			    at);
			break;
		default:
			snprintf(what, sizeof(what), "isal_inflate error %d",
			    ret);
			fail_member(z, what, at);
			break;
		}
		goto done;
	}
	if (st->block_state == ISAL_BLOCK_FINISH) {
		/* isal checked the trailer; check it once more ourselves. */
		if (check_trailer(z) != 0)
			goto done;
		z->members++;
		z->phase = PHASE_HEADER;
		z->hstep = HSTEP_FIXED;
		z->hgot = 0;
		rc = 0;
		goto done;
	}
	if (st->avail_out == 0) {
		/* Output full; isal may hold more. */
		rc = 0;
		goto done;
	}
	if (z->in_len == 0) {
		rc = 1;
		goto done;
	}
	if (used == 0 && wrote == 0) {
		fail_member(z, "inflate made no progress", z->total_in);
		goto done;
	}
	rc = 0;

done:
	return rc;
}

/**
 * gunzip_magic(buf, n): return 1 if ${buf} begins with the gzip magic bytes
 * 1f 8b (n >= 2), else 0.
 */
int
gunzip_magic(const void *buf, size_t n)
{
	const uint8_t *p = buf;

	return (n >= 2 && p[0] == 0x1f && p[1] == 0x8b);
}

/**
 * gunzip_new(void): return a new decoder positioned before the first member,
 * or NULL on allocation failure.
 */
struct gunzip *
gunzip_new(void)
{
	struct gunzip *z;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		goto done;
	gunzip_reset(z);

done:
	return z;
}

/**
 * gunzip_reset(z): make ${z} ready for a new stream, as if new.
 */
void
gunzip_reset(struct gunzip *z)
{

	z->in = NULL;
	z->in_len = 0;
	z->phase = PHASE_HEADER;
	z->hstep = HSTEP_FIXED;
	z->hgot = 0;
	z->hflg = 0;
	z->xlen = 0;
	z->hcrc = 0;
	memset(z->hfixed, 0, sizeof(z->hfixed));
	memset(z->hcrc_stored, 0, sizeof(z->hcrc_stored));
	memset(z->tail, 0, sizeof(z->tail));
	z->members = 0;
	z->member_start = 0;
	z->member_out = 0;
	z->total_in = 0;
	z->total_out = 0;
	z->err[0] = '\0';
	/* No bytes of a previous stream may linger in the window. */
	memset(&z->st, 0, sizeof(z->st));
	isal_inflate_init(&z->st);
}

/**
 * gunzip_input(z, in, n): give ${z} the next ${n} bytes of compressed input.
 * The bytes are borrowed: ${in} must stay valid and unchanged until
 * gunzip_output() returns GUNZIP_NEED_INPUT.
 */
void
gunzip_input(struct gunzip *z, const void *in, size_t n)
{

	z->in = in;
	z->in_len = (in != NULL) ? n : 0;
}

/**
 * gunzip_output(z, out, cap, got): decompress into ${out} (capacity ${cap} > 0),
 * setting *${got} to the number of bytes written (possibly 0).  Returns
 * GUNZIP_OK if the caller should call again, GUNZIP_NEED_INPUT once all input
 * given so far is consumed (output may still have been produced: check
 * *got), or GUNZIP_ERR on corrupt data (output produced before the error is
 * in *got and is good).  After GUNZIP_ERR the decoder stays in error until
 * gunzip_reset().
 */
int
gunzip_output(struct gunzip *z, void *out, size_t cap, size_t *got)
{
	uint8_t *o = out;
	size_t n = 0;
	int rc;

	for (;;) {
		if (z->phase == PHASE_ERROR) {
			rc = GUNZIP_ERR;
			break;
		}
		if (z->phase == PHASE_HEADER) {
			if (z->in_len == 0) {
				rc = GUNZIP_NEED_INPUT;
				break;
			}
			header_read(z);
			continue;
		}

		/* PHASE_BODY. */
		if (n == cap) {
			rc = GUNZIP_OK;
			break;
		}
		if (body_inflate(z, o + n, cap - n, &n) == 1) {
			rc = GUNZIP_NEED_INPUT;
			break;
		}
	}

	*got = n;
	return rc;
}

/**
 * gunzip_finish(z): declare the end of input.  Returns 0 if the input ended
 * exactly at the end of a member (and at least one member was seen), -1 if it
 * ended inside a member (truncated) or was empty; gunzip_error() then says so.
 */
int
gunzip_finish(struct gunzip *z)
{
	int rc = -1;

	if (z->phase == PHASE_ERROR)
		goto done;
	if (z->in_len > 0) {
		snprintf(z->err, sizeof(z->err), "gunzip_finish: %zu bytes of "
		    "input at compressed byte %" PRIu64 " not yet decoded",
		    z->in_len, z->total_in);
		z->phase = PHASE_ERROR;
		goto done;
	}
	if (z->phase == PHASE_BODY) {
		if (z->st.block_state == ISAL_CHECKSUM_CHECK ||
		    z->st.block_state == ISAL_BLOCK_INPUT_DONE)
			fail_truncated(z, "trailer");
		else
			fail_truncated(z, "deflate data");
		goto done;
	}
	if (z->hstep != HSTEP_FIXED || z->hgot != 0) {
		fail_truncated(z, "header");
		goto done;
	}
	if (z->members == 0) {
		snprintf(z->err, sizeof(z->err), "empty input: no gzip member");
		z->phase = PHASE_ERROR;
		goto done;
	}
	rc = 0;

done:
	return rc;
}

/**
 * gunzip_error(z): a NUL-terminated description of the error, naming the
 * compressed offset of the failure and the member it occurred in, e.g.
 * "corrupt gzip member 3 (starting at byte 81234): invalid block type at
 * compressed byte 81301".  Owned by ${z}; valid until the next call on ${z}.
 */
const char *
gunzip_error(const struct gunzip *z)
{

	return (z->err[0] != '\0' ? z->err : "no error");
}

/** gunzip_members(z): number of members completed so far. */
unsigned long
gunzip_members(const struct gunzip *z)
{

	return z->members;
}

/** gunzip_total_in(z): compressed bytes consumed so far. */
uint64_t
gunzip_total_in(const struct gunzip *z)
{

	return z->total_in;
}

/** gunzip_total_out(z): decompressed bytes produced so far. */
uint64_t
gunzip_total_out(const struct gunzip *z)
{

	return z->total_out;
}

/**
 * gunzip_free(z): free ${z}.  gunzip_free(NULL) does nothing.
 */
void
gunzip_free(struct gunzip *z)
{

	free(z);
}
