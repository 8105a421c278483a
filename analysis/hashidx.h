/*
 * hashidx.h — an open-addressing hash index from keys the caller owns to
 * uint32 indices, and a string pool built on it.  The caller supplies the
 * hash and the equality test, so one table type serves strings,
 * configuration keys and run ids.
 */
#ifndef PARSCALE_ANALYSIS_HASHIDX_H
#define PARSCALE_ANALYSIS_HASHIDX_H

#include <stddef.h>
#include <stdint.h>

struct hashidx {
    uint32_t *slot;            /* index + 1; 0 is an empty slot */
    uint64_t *hash;            /* the full hash of each slot's key */
    size_t cap, n;             /* cap is a power of two */
};

/* Does the entry with this index have the key the caller is looking for? */
typedef int (*hashidx_eq)(const void *ctx, uint32_t index);

/* Returns the index of the entry with hash h for which eq(ctx, index) is
 * true, or -1 when there is none. */
long hashidx_find(const struct hashidx *t, uint64_t h, hashidx_eq eq, const void *ctx);
/* Adds index under hash h (the key must not be there yet). Returns 0 or -1
 * when out of memory. */
int hashidx_add(struct hashidx *t, uint64_t h, uint32_t index);
void hashidx_free(struct hashidx *t);

/* FNV-1a over a string, then mixed; and a mixer to combine hashes. */
uint64_t hash_str(const char *s);
uint64_t hash_mix(uint64_t h, uint64_t v);

/* Interned strings: each distinct string is stored once. */
struct strpool;
struct strpool *strpool_new(void);
/* The pool's copy of s, NULL when out of memory. */
const char *strpool_intern(struct strpool *p, const char *s);
void strpool_free(struct strpool *p);

#endif
