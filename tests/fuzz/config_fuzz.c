/*
 * config_fuzz - the configuration parser on arbitrary bytes: it must either build a config or
 * return an error with a message, never crash, leak or accept a config that breaks its own
 * invariants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    config *cfg = NULL;
    char err[1024] = "";
    int rc =
        config_parse((const char *)data, size, "/fuzz/ingestd.json", false, &cfg, err, sizeof err);
    if (rc == 0) {
        if (!cfg || !cfg->database || !cfg->control_socket || cfg->batch_max > cfg->queue_max)
            abort();
        for (size_t i = 0; i < cfg->n_watch; i++)
            if (!cfg->watch[i].path || cfg->watch[i].path[0] != '/' || !cfg->watch[i].done_dir)
                abort();
        config_free(cfg);
    } else if (cfg || err[0] == '\0' || strncmp(err, "config /fuzz/ingestd.json: ", 27) != 0) {
        abort();
    }
    return 0;
}
