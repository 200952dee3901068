/*
 * privacy_api.c - the HTTP endpoint of a person's access report: parse
 * the format, build the report (privacy.c), answer JSON or a PDF.
 */
#include "crm/privacy.h"

#include "core/op.h"
#include "core/perms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void access_report(struct req *r)
{
    const char *format = req_query(r, "format");
    format = format && *format ? format : "json";
    bool pdf = strcmp(format, "pdf") == 0;
    if (!pdf && strcmp(format, "json") != 0) {
        reply_invalid(r, json_pack("{s:s}", "format", req_msg(r, "field.invalid")));
        return;
    }
    json_t *report = NULL;
    int rc = privacy_report(r->db, r->actor, req_param_id(r, 0), format, &report);
    if (op_reply(r, rc, NULL))
        return;
    char name[96];
    snprintf(name, sizeof(name), "access-report-%s.%s",
             json_string_value(json_object_get(json_object_get(report, "customer"), "customer_no")),
             format);
    if (!pdf) {
        reply_json(r, 200, report);
        return;
    }
    char *data = NULL;
    size_t len = 0;
    rc = privacy_report_pdf(report, r->lang, &data, &len);
    json_decref(report);
    if (rc) {
        reply_error(r, 500, "internal");
        return;
    }
    reply_bytes(r, 200, "application/pdf", data, len, name);
    free(data);
}

/* The route table privacy_routes[], made from privacy_api.routes. */
#include "crm/privacy_api.routes.h"
