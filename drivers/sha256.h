/*
 * sha256.h - SHA-256 (FIPS 180-4) of a file, to record which build of a
 * kernel library a run used; `sha256sum FILE` prints the same digest.
 */
#ifndef PARSCALE_SHA256_H
#define PARSCALE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PS_SHA256_HEX (64 + 1)   /* hex digest and its terminating NUL */

struct ps_sha256 {
    uint32_t h[8];             /* the running hash */
    uint64_t bytes;            /* message length so far */
    unsigned char block[64];   /* a partial block waiting for more */
    size_t fill;               /* bytes in block */
};

void ps_sha256_init(struct ps_sha256 *s);
void ps_sha256_add(struct ps_sha256 *s, const void *data, size_t len);
/* Finish and write the digest as 64 lowercase hex digits and a NUL. */
void ps_sha256_hex(struct ps_sha256 *s, char hex[PS_SHA256_HEX]);
/* The digest of the file at path into hex; 0, or -1 with errno set. */
int ps_sha256_file(const char *path, char hex[PS_SHA256_HEX]);

#endif
