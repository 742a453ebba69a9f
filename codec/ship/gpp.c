/* Group Policy Preferences Registry.xml ([MS-GPPREF] §2.2.1.5): writer and
 * reader.  Notes and sources: codec/ship/FORMAT.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ship/ship_internal.h"

#define GPP_SETTINGS_CLSID "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"
#define GPP_REGISTRY_CLSID "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}"

/* ---- writer -------------------------------------------------------------- */

/* Attribute text: the five markup characters as entities, CR/LF/TAB as
 * character references (an XML reader would fold them to spaces). */
static void put_attr(struct dcsi_ship_out *o, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ent = NULL;
        switch (s[i]) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\r': ent = "&#13;"; break;
        case '\n': ent = "&#10;"; break;
        case '\t': ent = "&#9;"; break;
        default: continue;
        }
        dcsi_ship_put(o, s + from, i - from);
        dcsi_ship_puts(o, ent);
        from = i + 1;
    }
    dcsi_ship_put(o, s + from, n - from);
}

/* XML 1.0 has no way to write the other C0 controls, even escaped. */
static bool xml_text_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
            return false;
    }
    return true;
}

/* A stable uid for root\key\name: two FNV-1a hashes laid out as a GUID. */
static void item_uid(const struct dcs_ship_value *v, char out[39])
{
    uint64_t h[2] = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull};
    const char *parts[3] = {v->root, v->key, v->name};
    const size_t lens[3] = {v->root_len, v->key_len, v->name_len};
    for (int k = 0; k < 2; k++) {
        for (int p = 0; p < 3; p++) {
            for (size_t i = 0; i < lens[p]; i++)
                h[k] = (h[k] ^ (unsigned char)parts[p][i]) * 0x100000001b3ull;
            h[k] = (h[k] ^ '\\') * 0x100000001b3ull;
        }
    }
    snprintf(out, 39, "{%08X-%04X-%04X-%04X-%012llX}", (unsigned)(h[0] >> 32),
             (unsigned)(h[0] >> 16 & 0xFFFF), (unsigned)(0x4000 | (h[0] & 0x0FFF)),
             (unsigned)(0x8000 | (h[1] >> 48 & 0x3FFF)),
             (unsigned long long)(h[1] & 0xFFFFFFFFFFFFull));
}

/* GPMC's icon for an update item of each type; a delete item's (GPMC
 * numbers them 5 + action for strings, C R U D = 0 1 2 3: inferred). */
static const char *item_image(const struct dcs_ship_value *v)
{
    if (v->action == DCS_SHIP_DELETE)
        return "8";
    uint32_t type = v->type;
    return type == DCS_REG_BINARY ? "17" : type == DCS_REG_DWORD || type == DCS_REG_QWORD ? "12"
                                                                                          : "7";
}

static void put_value_text(struct dcsi_ship_out *o, const struct dcs_ship_value *v, char *tmp)
{
    static const char hex[] = "0123456789ABCDEF";
    if (v->type == DCS_REG_SZ || v->type == DCS_REG_EXPAND_SZ) {
        put_attr(o, tmp, dcsi_ship_text_utf8(v, tmp));
    } else if (v->type == DCS_REG_BINARY) {
        for (size_t i = 0; i < v->len; i++) {
            char b[2] = {hex[v->data[i] >> 4], hex[v->data[i] & 15]};
            dcsi_ship_put(o, b, 2);
        }
    } else {
        char num[24];
        int k = snprintf(num, sizeof num, v->len == 4 ? "%08llX" : "%016llX",
                         (unsigned long long)dcsi_ship_number(v));
        dcsi_ship_put(o, num, (size_t)k);
    }
}

static void put_item(struct dcsi_ship_out *o, const struct dcs_ship_value *v, const char *changed,
                     const char *comment, char *tmp)
{
    const char *label = v->name_len ? v->name : "(Default)";
    size_t label_len = v->name_len ? v->name_len : 9;
    char uid[39];
    item_uid(v, uid);
    dcsi_ship_puts(o, "\t<Registry clsid=\"" GPP_REGISTRY_CLSID "\" name=\"");
    put_attr(o, label, label_len);
    dcsi_ship_puts(o, "\" status=\"");
    put_attr(o, label, label_len);
    dcsi_ship_puts(o, "\" image=\"");
    dcsi_ship_puts(o, item_image(v));
    dcsi_ship_puts(o, "\" changed=\"");
    dcsi_ship_puts(o, changed);
    dcsi_ship_puts(o, "\" uid=\"");
    dcsi_ship_puts(o, uid);
    if (comment) {
        dcsi_ship_puts(o, "\" desc=\"");
        put_attr(o, comment, strlen(comment));
    }
    dcsi_ship_puts(o, v->action == DCS_SHIP_DELETE
                          ? "\"><Properties action=\"D\" displayDecimal=\"0\" default=\""
                          : "\"><Properties action=\"U\" displayDecimal=\"0\" default=\"");
    dcsi_ship_puts(o, v->name_len ? "0" : "1");
    dcsi_ship_puts(o, "\" hive=\"");
    put_attr(o, v->root, v->root_len);
    dcsi_ship_puts(o, "\" key=\"");
    put_attr(o, v->key, v->key_len);
    dcsi_ship_puts(o, "\" name=\"");
    put_attr(o, v->name ? v->name : "", v->name_len);
    dcsi_ship_puts(o, "\" type=\"");
    dcsi_ship_puts(o, v->action == DCS_SHIP_DELETE ? "REG_SZ" : dcsi_ship_type_name(v->type));
    dcsi_ship_puts(o, "\" value=\"");
    if (v->action != DCS_SHIP_DELETE)
        put_value_text(o, v, tmp);
    dcsi_ship_puts(o, "\"/></Registry>\r\n");
}

static dcs_status check_all(const struct dcs_ship_value *values, size_t n, const char *comment,
                            size_t *tmp_size, struct dcs_error *err)
{
    *tmp_size = 1;
    for (size_t i = 0; i < n; i++) {
        const struct dcs_ship_value *v = &values[i];
        dcs_status st = dcsi_ship_check(v, i, "Registry.xml", err);
        if (st != DCS_OK)
            return st;
        if (!xml_text_ok(v->key, v->key_len) || !xml_text_ok(v->name, v->name_len))
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                 "value %zu: a control character in its key or name cannot be "
                                 "written in XML", i);
        if (v->action == DCS_SHIP_SET && 3 * (v->len / 2) + 1 > *tmp_size)
            *tmp_size = 3 * (v->len / 2) + 1;
    }
    if (comment && !xml_text_ok(comment, strlen(comment)))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "the comment holds a control character XML cannot carry");
    return DCS_OK;
}

dcs_status dcs_ship_write_gpp(const struct dcs_ship_value *values, size_t n,
                              const struct dcs_ship_options *opt, dcs_reg_write_fn fn, void *ctx,
                              struct dcs_error *err)
{
    if ((!values && n) || !fn)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no values or no output");
    const char *comment = opt ? opt->comment : NULL;
    size_t tmp_size;
    dcs_status st = check_all(values, n, comment, &tmp_size, err);
    if (st != DCS_OK)
        return st;
    char changed[32];
    if (opt && opt->changed) {
        snprintf(changed, sizeof changed, "%s", opt->changed);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        strftime(changed, sizeof changed, "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
    }
    char *tmp = malloc(tmp_size);
    if (!tmp)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    struct dcsi_ship_out o;
    dcsi_ship_out_init(&o, fn, ctx, err);
    dcsi_ship_puts(&o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
                       "<RegistrySettings clsid=\"" GPP_SETTINGS_CLSID "\">\r\n");
    for (size_t i = 0; i < n; i++)
        put_item(&o, &values[i], changed, comment, tmp);
    dcsi_ship_puts(&o, "</RegistrySettings>\r\n");
    free(tmp);
    return dcsi_ship_flush(&o);
}
