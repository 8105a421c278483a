/*
 * hashidx.c — open addressing with linear probing, kept at most half full.
 */
#include "hashidx.h"

#include <stdlib.h>
#include <string.h>

#define INITIAL_CAP 64
#define POOL_CHUNK (64 * 1024)

long hashidx_find(const struct hashidx *t, uint64_t h, hashidx_eq eq, const void *ctx)
{
    if (t->cap == 0)
        return -1;
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->slot[i] == 0)
            return -1;
        if (t->hash[i] == h && eq(ctx, t->slot[i] - 1))
            return (long)(t->slot[i] - 1);
    }
}

/* Puts (h, index) into the first free slot of a table with room. */
static void place(struct hashidx *t, uint64_t h, uint32_t index)
{
    size_t i = h & (t->cap - 1);
    while (t->slot[i] != 0)
        i = (i + 1) & (t->cap - 1);
    t->slot[i] = index + 1;
    t->hash[i] = h;
}

int hashidx_add(struct hashidx *t, uint64_t h, uint32_t index)
{
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : INITIAL_CAP;
        struct hashidx grown = {calloc(cap, sizeof *grown.slot),
                                malloc(cap * sizeof *grown.hash), cap, t->n};
        if (grown.slot == NULL || grown.hash == NULL) {
            hashidx_free(&grown);
            return -1;
        }
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i] != 0)
                place(&grown, t->hash[i], t->slot[i] - 1);
        hashidx_free(t);
        *t = grown;
    }
    place(t, h, index);
    t->n++;
    return 0;
}

void hashidx_free(struct hashidx *t)
{
    free(t->slot);
    free(t->hash);
    t->slot = NULL;
    t->hash = NULL;
    t->cap = t->n = 0;
}

uint64_t hash_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ULL;
    return h ^ (h >> 27);
}

uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return hash_mix(h, 0);
}

/* Strings live in chunks that are never moved, so pointers stay valid. */
struct chunk {
    struct chunk *next;
    size_t used, cap;
    char text[];
};

struct strpool {
    struct hashidx index;
    const char **str;          /* by index */
    size_t n, cap;
    struct chunk *chunks;
};

struct strpool *strpool_new(void)
{
    return calloc(1, sizeof(struct strpool));
}

struct lookup {
    const struct strpool *p;
    const char *s;
};

static int same_string(const void *ctx, uint32_t index)
{
    const struct lookup *l = ctx;
    return strcmp(l->p->str[index], l->s) == 0;
}

/* Copies s into the pool's chunks; NULL when out of memory. */
static char *store_text(struct strpool *p, const char *s)
{
    size_t len = strlen(s) + 1;
    struct chunk *c = p->chunks;
    if (c == NULL || c->cap - c->used < len) {
        size_t cap = len > POOL_CHUNK ? len : POOL_CHUNK;
        c = malloc(sizeof *c + cap);
        if (c == NULL)
            return NULL;
        c->next = p->chunks;
        c->used = 0;
        c->cap = cap;
        p->chunks = c;
    }
    char *copy = c->text + c->used;
    memcpy(copy, s, len);
    c->used += len;
    return copy;
}

const char *strpool_intern(struct strpool *p, const char *s)
{
    uint64_t h = hash_str(s);
    struct lookup l = {p, s};
    long found = hashidx_find(&p->index, h, same_string, &l);
    if (found >= 0)
        return p->str[found];
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : INITIAL_CAP;
        const char **grown = realloc(p->str, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        p->str = grown;
        p->cap = cap;
    }
    char *copy = store_text(p, s);
    if (copy == NULL || hashidx_add(&p->index, h, (uint32_t)p->n) != 0)
        return NULL;
    p->str[p->n++] = copy;
    return copy;
}

void strpool_free(struct strpool *p)
{
    if (p == NULL)
        return;
    for (struct chunk *c = p->chunks, *next; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    hashidx_free(&p->index);
    free(p->str);
    free(p);
}
