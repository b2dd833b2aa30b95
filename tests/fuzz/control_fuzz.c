/*
 * control_fuzz - the control protocol's request parsing (ctl_dispatch_line) on arbitrary lines:
 * every non-blank line gets exactly one reply object with a boolean "ok", and a failure reply
 * carries an "error" string.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *echo_handler(void *ctx, const char *cmd, json_t *request)
{
    (void)ctx;
    if (strcmp(cmd, "fail") == 0)
        return ctl_error("failed on request");
    return json_pack("{s:s, s:O}", "cmd", cmd, "echo", request);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *reply = ctl_dispatch_line((const char *)data, size, echo_handler, NULL);
    if (!reply)
        return 0;
    json_t *ok = json_object_get(reply, "ok");
    if (!json_is_boolean(ok))
        abort();
    if (json_is_false(ok) && !json_is_string(json_object_get(reply, "error")))
        abort();
    char *text = json_dumps(reply, JSON_COMPACT);
    if (!text || strchr(text, '\n'))
        abort();
    free(text);
    json_decref(reply);
    return 0;
}
