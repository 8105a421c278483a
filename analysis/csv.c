/*
 * csv.c — line reader for parscale's plain CSV (see csv.h). parscale never
 * quotes a field, so a quote in the input means foreign or damaged data.
 */
#define _POSIX_C_SOURCE 200809L

#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Reads one line into a fresh getline buffer; see csv.h for the contract. */
int csv_getline(FILE *fp, char **line, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0;

    errno = 0;
    ssize_t got = getline(&buf, &cap, fp);
    if (got < 0) {
        int saved = errno;
        free(buf);
        if (ferror(fp) || saved == ENOMEM) {
            errno = saved ? saved : EIO;
            return -1;
        }
        return 0;
    }
    size_t n = (size_t)got;
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    *line = buf;
    *len = n;
    return 1;
}

/* Names the first defect that makes a line unusable as plain CSV, or NULL. */
const char *csv_defect(const char *line, size_t len)
{
    if (strlen(line) != len)
        return "line contains a nul byte";
    if (strchr(line, '"') != NULL)
        return "line contains a quote (parscale never quotes fields)";
    if (strchr(line, '\r') != NULL)
        return "line contains a carriage return (CRLF line ends are not parscale csv)";
    return NULL;
}

/* Cuts line at commas; returns the field count, storing at most max starts. */
size_t csv_split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;

    for (;;) {
        if (n < max)
            fields[n] = p;
        n++;
        char *comma = strchr(p, ',');
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}
