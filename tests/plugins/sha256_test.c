/*
 * sha256_test - print the SHA-256 of each file named, as sha256sum does
 * ("HEX  PATH"), with drivers/sha256.c; tests/plugins/loading.sh compares
 * the two on files of every length around the block boundaries.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"

int main(int argc, char **argv)
{
    char hex[PS_SHA256_HEX];
    for (int i = 1; i < argc; i++) {
        if (ps_sha256_file(argv[i], hex)) {
            fprintf(stderr, "sha256_test: cannot read '%s': %s\n", argv[i], strerror(errno));
            return 1;
        }
        printf("%s  %s\n", hex, argv[i]);
    }
    return 0;
}
