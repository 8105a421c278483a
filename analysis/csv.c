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

/* Reads one line into the caller's reusable getline buffer. */
int csv_getline(FILE *fp, char **line, size_t *cap, size_t *len)
{
    errno = 0;
    ssize_t got = getline(line, cap, fp);
    if (got < 0) {
        if (ferror(fp) || errno == ENOMEM) {
            if (errno == 0)
                errno = EIO;
            return -1;
        }
        return 0;
    }
    size_t n = (size_t)got;
    if (n > 0 && (*line)[n - 1] == '\n')
        (*line)[--n] = '\0';
    *len = n;
    return 1;
}

/* Names a defect found at byte ch. */
static const char *defect_of(char ch)
{
    if (ch == '\0')
        return "line contains a nul byte";
    if (ch == '"')
        return "line contains a quote (parscale never quotes fields)";
    return "line contains a carriage return (CRLF line ends are not parscale csv)";
}

const char *csv_defect(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] == '\0' || line[i] == '"' || line[i] == '\r')
            return defect_of(line[i]);
    return NULL;
}

size_t csv_split(char *line, char **fields, size_t max)
{
    return csv_split_checked(line, (size_t)-1, fields, max, NULL);
}

/* One pass: cut at commas and look for what plain CSV cannot hold. */
size_t csv_split_checked(char *line, size_t len, char **fields, size_t max,
                         const char **defect)
{
    size_t n = 0;
    char *p = line;
    if (defect)
        *defect = NULL;
    if (max > 0)
        fields[0] = p;
    for (;; p++) {
        char ch = *p;
        if (ch > ',')
            continue;
        if (ch == ',') {
            *p = '\0';
            if (++n < max)
                fields[n] = p + 1;
        } else if (ch == '\0') {
            if (defect && (size_t)(p - line) != len)
                *defect = defect_of('\0');
            return n + 1;
        } else if (defect && (ch == '"' || ch == '\r') && *defect == NULL) {
            *defect = defect_of(ch);
        }
    }
}

void csv_put_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}
