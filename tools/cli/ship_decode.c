/* dcs decode of Registry.xml and reg add batch files (ship_decode.h). */
#include "ship_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blobview.h"
#include "cli.h"
#include "core/fileio.h"
#include "json.h"

#define SHIP_MAX ((size_t)64 << 20)

struct ship_ctx {
    const char *path;
    unsigned options;
    json_t *arr; /* NULL: text */
    size_t bad;
};

static const char *type_name(uint32_t t)
{
    switch (t) {
    case DCS_REG_SZ: return "REG_SZ";
    case DCS_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
    case DCS_REG_BINARY: return "REG_BINARY";
    case DCS_REG_DWORD: return "REG_DWORD";
    case DCS_REG_QWORD: return "REG_QWORD";
    default: return "?";
    }
}

/* A proxy blob: a binary value named like one or under a Connections key. */
static bool is_blob(const struct dcs_ship_value *v)
{
    static const char conn[] = "\\Connections";
    size_t k = sizeof conn - 1;
    return v->type == DCS_REG_BINARY &&
           (v->key_len >= k && strncasecmp(v->key + v->key_len - k, conn, k) == 0);
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(s + 2 * i, 3, "%02x", p[i]);
    s[2 * n] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

/* The data of a value that is not a blob, as text. */
static void print_plain(const struct dcs_ship_value *v)
{
    if (v->type == DCS_REG_DWORD && v->len == 4) {
        printf("  %s %u\n", type_name(v->type),
               (unsigned)(v->data[0] | v->data[1] << 8 | v->data[2] << 16 |
                          (uint32_t)v->data[3] << 24));
        return;
    }
    if (v->type == DCS_REG_SZ || v->type == DCS_REG_EXPAND_SZ) {
        printf("  %s \"", type_name(v->type));
        for (size_t i = 0; i + 1 < v->len && (v->data[i] | v->data[i + 1]); i += 2)
            putchar(v->data[i + 1] || v->data[i] < 0x20 ? '?' : v->data[i]);
        puts("\"");
        return;
    }
    printf("  %s %zu bytes\n", type_name(v->type), v->len);
}

static dcs_status on_value(void *ctx, const struct dcs_ship_value *v, struct dcs_error *err)
{
    struct ship_ctx *c = ctx;
    struct dcs_blob b;
    struct dcs_error berr;
    dcs_error_clear(&berr);
    bool blob = is_blob(v);
    if (blob && dcs_blob_decode(v->data, v->len, c->options, &b, &berr) != DCS_OK) {
        cli_errorf("%s: value '%.*s': byte %llu: %s", c->path, (int)v->name_len, v->name,
                   (unsigned long long)berr.offset, berr.message);
        c->bad++;
        return DCS_OK;
    }
    if (!c->arr) {
        printf("%.*s\\%.*s : %.*s\n", (int)v->root_len, v->root, (int)v->key_len, v->key,
               v->name_len ? (int)v->name_len : 1, v->name_len ? v->name : "@");
        if (v->action == DCS_SHIP_DELETE)
            puts("  deleted");
        else if (blob)
            blobview_print(stdout, &b, v->len);
        else
            print_plain(v);
        putchar('\n');
        return DCS_OK;
    }
    json_t *o = blob ? json_from_blob(&b, v->len) : json_object();
    char *key = malloc(v->root_len + v->key_len + 2);
    if (!o || !key) {
        json_decref(o);
        free(key);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    snprintf(key, v->root_len + v->key_len + 2, "%.*s\\%.*s", (int)v->root_len, v->root,
             (int)v->key_len, v->key);
    json_object_set_new(o, "key", json_string(key));
    json_object_set_new(o, "value", json_stringn(v->name, v->name_len));
    if (v->action == DCS_SHIP_DELETE) {
        json_object_set_new(o, "action", json_string("delete"));
    } else {
        json_object_set_new(o, "type", json_string(type_name(v->type)));
        json_object_set_new(o, "data_hex", hex_json(v->data, v->len));
    }
    json_array_append_new(c->arr, o);
    free(key);
    return DCS_OK;
}

int ship_decode_file(const char *path, int json, int compact, unsigned options)
{
    if (strcmp(path, "-") == 0)
        return -1;
    uint8_t *data = NULL;
    size_t len = 0;
    struct dcs_error err;
    dcs_error_clear(&err);
    /* a FIFO, device or missing file is left to the blob reader's messages */
    if (dcsi_read_file(path, SHIP_MAX, 0, &data, &len, &err) != DCS_OK)
        return -1;
    int kind = dcs_ship_detect(data, len);
    if (!kind) {
        free(data);
        return -1;
    }
    struct ship_ctx c = {path, options, json ? json_array() : NULL, 0};
    dcs_status st = kind == 1 ? dcs_ship_read_gpp(data, len, on_value, &c, &err)
                              : dcs_ship_read_cmd(data, len, on_value, &c, &err);
    free(data);
    int rc = st == DCS_OK && !c.bad ? EXIT_OK : EXIT_BAD_INPUT;
    if (st != DCS_OK)
        cli_report(path, &err);
    if (c.arr) {
        if (st == DCS_OK && json_print(c.arr, stdout, compact) != 0)
            rc = EXIT_BAD_INPUT;
        json_decref(c.arr);
    }
    if (fflush(stdout) != 0)
        rc = EXIT_BAD_INPUT;
    return rc;
}
