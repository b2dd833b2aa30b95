/*
 * intake - one article job: read a claimed file (or take given bytes), check its size, hash and
 * decode it to UTF-8, build the record and run the plugin chain.
 *
 * Thread rules: the loop thread fills a job's inputs and hands it to a worker; intake_run runs on
 * that worker and touches nothing but the job; the loop thread reads the outputs after the
 * worker is done. The job owns every buffer in it.
 */
#ifndef INGESTD_INTAKE_H
#define INGESTD_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pipeline.h"
#include "record.h"
#include "store.h"

typedef enum intake_outcome {
    INTAKE_OK = 0,   /* a record that passed the chain */
    INTAKE_DROPPED,  /* a plugin dropped it on purpose */
    INTAKE_FAILED,   /* recorded as a failure (stage, plugin, reason) */
    INTAKE_VANISHED, /* the file was gone before it could be read: nothing entered */
    INTAKE_CHANGED,  /* the file changed while being read: not complete yet, try again later */
} intake_outcome;

typedef struct intake_job {
    /* inputs, set by the owner before intake_run */
    char *path;              /* source name: file path, or "-" for stdin */
    char *open_path;         /* file to open when it differs from path (a resolved symlink) */
    const char *source_kind; /* "file" or "stdin" (static string) */
    char *encoding;          /* "auto" or a canonical legacy encoding name */
    int64_t max_bytes;
    pipeline *pipe; /* borrowed; must outlive the job's run */
    void *given;    /* bytes to use instead of reading path (owned by the job), or NULL */
    size_t given_len;
    size_t watch_index;
    int64_t arrival_ms;
    char *refused_reason; /* set by the owner: record a failure without reading (e.g. a symlink
                             that leads out of the watched folder) */

    /* outputs, set by intake_run */
    char *source_display; /* path made valid UTF-8 (invalid bytes as U+FFFD), for the store */
    intake_outcome outcome;
    void *raw; /* original bytes (NULL when the file was too large to keep) */
    size_t raw_len;
    const char *encoding_used; /* static string */
    bool has_file;
    store_file_identity ident;
    ingestd_record *rec;
    char fail_stage[16];
    char fail_plugin[64];
    char fail_reason[512];

    /* for the owner's use */
    uv_work_t work;
    uint64_t claimed_ns;
    struct intake_job *next;
} intake_job;

/* Run the job (worker thread). Never fails as a call: the result is in job->outcome. */
void intake_run(intake_job *job);

/* Fill a store item that borrows from the job (valid while the job lives). For INTAKE_OK,
 * INTAKE_DROPPED and INTAKE_FAILED only. */
void intake_store_item(const intake_job *job, store_item *item);

void intake_job_free(intake_job *job);

/* Wall clock in milliseconds since the epoch. */
int64_t intake_now_ms(void);

#endif
