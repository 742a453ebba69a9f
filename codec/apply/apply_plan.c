/* Planning an apply: pure (no I/O).  Rules in apply.h. */
#include <dcs/apply.h>
#include <dcs/proxylist.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/text.h"

static const struct {
    const char *name;
    enum dcs_apply_mode mode;
} modes[] = {
    {"copy", DCS_MODE_COPY},
    {"no_proxy", DCS_MODE_NO_PROXY},
    {"autodetect", DCS_MODE_AUTODETECT},
    {"manual_proxy", DCS_MODE_MANUAL_PROXY},
    {"autoscript", DCS_MODE_AUTOSCRIPT},
    {"reset", DCS_MODE_RESET},
};

bool dcs_apply_mode_parse(const char *s, enum dcs_apply_mode *out)
{
    for (size_t i = 1; i < sizeof modes / sizeof modes[0]; i++)
        if (strcasecmp(s, modes[i].name) == 0) {
            *out = modes[i].mode;
            return true;
        }
    return false;
}

const char *dcs_apply_mode_name(enum dcs_apply_mode mode)
{
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (modes[i].mode == mode)
            return modes[i].name;
    return "?";
}

const char *dcs_apply_action_name(enum dcs_apply_action a)
{
    switch (a) {
    case DCS_APPLY_UNCHANGED: return "unchanged";
    case DCS_APPLY_CREATE: return "create";
    case DCS_APPLY_UPDATE: return "update";
    case DCS_APPLY_DELETE: return "delete";
    }
    return "?";
}

static bool blank(dcs_bytes b)
{
    for (uint32_t i = 0; i < b.len; i++)
        if (b.ptr[i] != ' ' && b.ptr[i] != '\t')
            return false;
    return true;
}

/* err from in, its message after "what: " (the offset stays). */
static dcs_status named(struct dcs_error *err, const char *what, const struct dcs_error *in)
{
    return dcs_error_set(err, in->code, in->offset, "%s: %s", what, in->message);
}

/* The PAC URL is written as given: a blank one, a control character (a
 * pasted line break), bytes that are not UTF-8 or one longer than WinINET
 * uses are refused, not written. */
static dcs_status check_pac(dcs_bytes pac, struct dcs_error *err)
{
    if (blank(pac))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "autoscript needs a PAC URL");
    struct dcs_error in;
    if (dcs_pac_url_check((const char *)pac.ptr, pac.len, &in))
        return named(err, "the PAC URL", &in);
    return DCS_OK;
}

/* The lists of manual_proxy as a blob can hold them (DCS_LIST_SYNTAX): bytes
 * and lengths are checked, the grammar is not, since WinINET stores what it
 * cannot parse and matches it as text (a CIDR bypass entry; routing lints
 * say what it matches).  A proxy list without an entry (";;;") sets the
 * proxy flag with nowhere to go, and is refused; a bypass list without one
 * bypasses nothing, as an empty one. */
static dcs_status check_lists(const struct dcs_apply_source *src, struct dcs_error *err)
{
    struct dcs_list_report rep;
    struct dcs_error in;
    /* a length without data is the encoder's to report (DCS_ERR_BLOB_MODEL) */
    if ((src->proxy.len && !src->proxy.ptr) || (src->bypass.len && !src->bypass.ptr))
        return DCS_OK;
    if (dcs_proxy_check((const char *)src->proxy.ptr, src->proxy.len, DCS_LIST_SYNTAX, &rep, &in))
        return named(err, "the proxy list", &in);
    if (!rep.count)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "manual_proxy needs a proxy list");
    if (dcs_bypass_check((const char *)src->bypass.ptr, src->bypass.len, DCS_LIST_SYNTAX, NULL,
                         &in))
        return named(err, "the bypass list", &in);
    return DCS_OK;
}

dcs_status dcs_apply_source_check(const struct dcs_apply_source *src, struct dcs_error *err)
{
    struct dcs_blob b;
    dcs_status rc;
    switch (src->mode) {
    case DCS_MODE_COPY:
        if (!src->blob.len)
            return dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                                 "no DefaultConnectionSettings blob to copy");
        rc = dcs_blob_decode(src->blob.ptr, src->blob.len, DCS_DECODE_WININET, &b, err);
        if (rc == DCS_OK && src->saved_legacy.len)
            rc = dcs_blob_decode(src->saved_legacy.ptr, src->saved_legacy.len,
                                 DCS_DECODE_WININET, &b, err);
        return rc;
    case DCS_MODE_MANUAL_PROXY:
        return check_lists(src, err);
    case DCS_MODE_AUTOSCRIPT:
        return check_pac(src->pac, err);
    case DCS_MODE_NO_PROXY:
    case DCS_MODE_AUTODETECT:
    case DCS_MODE_RESET:
        return DCS_OK;
    }
    return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "unknown mode %d",
                         (int)src->mode);
}

static const struct dcs_apply_value *find(const struct dcs_apply_current *cur, const char *key,
                                          const char *name)
{
    for (size_t i = 0; cur && i < cur->nvalues; i++)
        if (strcasecmp(cur->values[i].key, key) == 0 &&
            strcasecmp(cur->values[i].name, name) == 0)
            return &cur->values[i];
    return NULL;
}

/* Decode a current REG_BINARY value as the given format; false if it is not one. */
static bool decode_current(const struct dcs_apply_value *v, unsigned format_opt,
                           struct dcs_blob *out)
{
    if (!v || v->type != DCS_REG_BINARY)
        return false;
    return dcs_blob_decode(v->data.ptr, v->data.len, format_opt, out, NULL) == DCS_OK;
}

static dcs_status add_step(struct dcs_apply_plan *p, const char *key, const char *name,
                           const struct dcs_apply_value *cur, struct dcs_error *err,
                           struct dcs_apply_step **out)
{
    if (p->nsteps == DCS_APPLY_MAX_STEPS) {
        dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "more than %u values to plan in one hive",
                      DCS_APPLY_MAX_STEPS);
        return DCS_ERR_LIMIT;
    }
    /* the limit is small: room for all of it at once, one allocation a plan */
    if (!p->steps && !(p->steps = calloc(DCS_APPLY_MAX_STEPS, sizeof *p->steps))) {
        dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        return DCS_ERR_NOMEM;
    }
    struct dcs_apply_step *s = &p->steps[p->nsteps++];
    memset(s, 0, sizeof *s);
    s->key = key;
    s->name = name;
    if (cur) {
        s->had = true;
        s->old_type = cur->type;
        s->old = cur->data;
    }
    *out = s;
    return DCS_OK;
}

static dcs_status set_wanted(struct dcs_apply_step *s, uint32_t type, const void *data,
                             size_t len, struct dcs_error *err)
{
    if (len && !data) {
        dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "value data missing");
        return DCS_ERR_INVALID_ARG;
    }
    s->wanted = malloc(len ? len : 1);
    if (!s->wanted) {
        dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        return DCS_ERR_NOMEM;
    }
    if (len)
        memcpy(s->wanted, data, len);
    s->wanted_len = len;
    s->type = type;
    return DCS_OK;
}

/* Build the blob a mode gives for one value, against its current blob. */
static dcs_status build_for_mode(const struct dcs_apply_source *src,
                                 const struct dcs_apply_value *cur, struct dcs_apply_step *s,
                                 struct dcs_error *err)
{
    struct dcs_blob prev, out;
    bool have_prev = decode_current(cur, DCS_DECODE_WININET, &prev);
    struct dcs_settings st = {0};
    if (have_prev) {
        st.proxy = prev.nfields > DCS_FIELD_PROXY ? prev.proxy : (dcs_bytes){0};
        st.bypass = prev.nfields > DCS_FIELD_BYPASS ? prev.bypass : (dcs_bytes){0};
        st.autoconfig_url =
            prev.nfields > DCS_FIELD_AUTOCONFIG_URL ? prev.autoconfig_url : (dcs_bytes){0};
    }
    switch (src->mode) {
    case DCS_MODE_NO_PROXY:
        st.flags = DCS_PROXY_TYPE_DIRECT;
        break;
    case DCS_MODE_AUTODETECT:
        st.flags = DCS_PROXY_TYPE_DIRECT | DCS_PROXY_TYPE_AUTO_DETECT;
        break;
    case DCS_MODE_MANUAL_PROXY:
        st.flags = DCS_PROXY_TYPE_DIRECT | DCS_PROXY_TYPE_PROXY;
        st.proxy = src->proxy;
        st.bypass = src->bypass;
        break;
    case DCS_MODE_AUTOSCRIPT:
        st.flags = DCS_PROXY_TYPE_DIRECT | DCS_PROXY_TYPE_AUTO_DETECT |
                   DCS_PROXY_TYPE_AUTO_PROXY_URL;
        st.autoconfig_url = src->pac;
        break;
    case DCS_MODE_RESET:
        st.flags = DCS_PROXY_TYPE_DIRECT;
        st.proxy = (dcs_bytes){0};
        break;
    case DCS_MODE_COPY:
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "copy is not a mode");
    }
    dcs_blob_build(&st, have_prev ? &prev : NULL, &out);
    size_t need = dcs_blob_encoded_size(&out);
    uint8_t *buf = malloc(need ? need : 1);
    if (!buf)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    size_t written;
    dcs_status rc = dcs_blob_encode(&out, buf, need, &written, err);
    if (rc == DCS_OK) {
        s->wanted = buf;
        s->wanted_len = written;
        s->type = DCS_REG_BINARY;
    } else {
        free(buf);
    }
    return rc;
}

/* Decide create/update/unchanged for a blob step whose wanted bytes are set. */
static void judge_blob(struct dcs_apply_step *s, unsigned format_opt)
{
    if (!s->had) {
        s->action = DCS_APPLY_CREATE;
        return;
    }
    struct dcs_blob a, b;
    struct dcs_apply_value cur = {s->key, s->name, s->old_type, s->old};
    if (decode_current(&cur, format_opt, &a) &&
        dcs_blob_decode(s->wanted, s->wanted_len, format_opt, &b, NULL) == DCS_OK &&
        dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER))
        s->action = DCS_APPLY_UNCHANGED;
    else
        s->action = DCS_APPLY_UPDATE;
}

static dcs_status plan_blob_at(struct dcs_apply_plan *p, const struct dcs_apply_source *src,
                               const struct dcs_apply_current *cur, const char *key,
                               const char *name, dcs_bytes copy, struct dcs_error *err)
{
    const struct dcs_apply_value *v = find(cur, key, name);
    struct dcs_apply_step *s;
    dcs_status rc = add_step(p, key, name, v, err, &s);
    if (rc != DCS_OK)
        return rc;
    if (src->mode == DCS_MODE_COPY)
        rc = set_wanted(s, DCS_REG_BINARY, copy.ptr, copy.len, err);
    else
        rc = build_for_mode(src, v, s, err);
    if (rc == DCS_OK)
        judge_blob(s, DCS_DECODE_WININET);
    return rc;
}

static dcs_status plan_blob_value(struct dcs_apply_plan *p, const struct dcs_apply_source *src,
                                  const struct dcs_apply_current *cur, const char *name,
                                  dcs_bytes copy, struct dcs_error *err)
{
    return plan_blob_at(p, src, cur, DCS_KEY_CONNECTIONS, name, copy, err);
}

/* UTF-8 (Latin-1 when not valid UTF-8) to UTF-16LE with a terminating NUL;
 * out holds 2 * in.len + 2 bytes. */
static size_t utf8_to_utf16z(dcs_bytes in, uint8_t *out)
{
    size_t units = dcsi_utf8_to_utf16le((const char *)in.ptr, in.len, out, NULL);
    if (units == SIZE_MAX) { /* Latin-1: each byte is its code point */
        for (size_t i = 0; i < in.len; i++) {
            out[2 * i] = in.ptr[i];
            out[2 * i + 1] = 0;
        }
        units = in.len;
    }
    out[2 * units] = 0;
    out[2 * units + 1] = 0;
    return 2 * units + 2;
}

static size_t strip_nuls(const uint8_t *p, size_t n)
{
    n &= ~(size_t)1;
    while (n >= 2 && p[n - 1] == 0 && p[n - 2] == 0)
        n -= 2;
    return n;
}

/* A REG_SZ plain value: wanted string, or deleted when `present` is false. */
static dcs_status plan_string(struct dcs_apply_plan *p, const struct dcs_apply_current *cur,
                              const char *name, bool present, dcs_bytes text,
                              struct dcs_error *err)
{
    const struct dcs_apply_value *v = find(cur, DCS_KEY_INTERNET_SETTINGS, name);
    if (!present && !v)
        return DCS_OK;
    struct dcs_apply_step *s;
    dcs_status rc = add_step(p, DCS_KEY_INTERNET_SETTINGS, name, v, err, &s);
    if (rc != DCS_OK)
        return rc;
    if (!present) {
        s->action = DCS_APPLY_DELETE;
        return DCS_OK;
    }
    s->wanted = malloc((size_t)text.len * 4 + 2);
    if (!s->wanted)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    s->wanted_len = utf8_to_utf16z(text, s->wanted);
    s->type = DCS_REG_SZ;
    if (!v) {
        s->action = DCS_APPLY_CREATE;
        return DCS_OK;
    }
    size_t a = strip_nuls(v->data.ptr, v->data.len), b = strip_nuls(s->wanted, s->wanted_len);
    bool same = v->type == DCS_REG_SZ && a == b && memcmp(v->data.ptr, s->wanted, a) == 0;
    s->action = same ? DCS_APPLY_UNCHANGED : DCS_APPLY_UPDATE;
    return DCS_OK;
}

static dcs_status plan_plain(struct dcs_apply_plan *p, const struct dcs_apply_current *cur,
                             const uint8_t *blob, size_t len, struct dcs_error *err)
{
    struct dcs_blob b;
    dcs_status rc = dcs_blob_decode(blob, len, DCS_DECODE_WININET, &b, err);
    if (rc != DCS_OK)
        return rc;
    const struct dcs_apply_value *v = find(cur, DCS_KEY_INTERNET_SETTINGS, "ProxyEnable");
    struct dcs_apply_step *s;
    rc = add_step(p, DCS_KEY_INTERNET_SETTINGS, "ProxyEnable", v, err, &s);
    if (rc != DCS_OK)
        return rc;
    uint8_t dw[4] = {dcs_blob_uses_proxy(&b) ? 1 : 0, 0, 0, 0};
    rc = set_wanted(s, DCS_REG_DWORD, dw, 4, err);
    if (rc != DCS_OK)
        return rc;
    if (!v)
        s->action = DCS_APPLY_CREATE;
    else
        s->action = v->type == DCS_REG_DWORD && v->data.len == 4 &&
                            memcmp(v->data.ptr, dw, 4) == 0
                        ? DCS_APPLY_UNCHANGED
                        : DCS_APPLY_UPDATE;
    dcs_bytes none = {0};
    bool has_proxy = b.nfields > DCS_FIELD_PROXY && b.proxy.len > 0;
    bool has_bypass = b.nfields > DCS_FIELD_BYPASS && b.bypass.len > 0;
    rc = plan_string(p, cur, "ProxyServer", has_proxy, has_proxy ? b.proxy : none, err);
    if (rc == DCS_OK)
        rc = plan_string(p, cur, "ProxyOverride", has_bypass, has_bypass ? b.bypass : none,
                         err);
    if (rc == DCS_OK) {
        bool pac = dcs_blob_uses_autoconfig(&b);
        rc = plan_string(p, cur, "AutoConfigURL", pac, pac ? b.autoconfig_url : none, err);
    }
    return rc;
}

static bool is_reserved(const char *name)
{
    return strcasecmp(name, DCS_VALUE_DEFAULT) == 0 ||
           strcasecmp(name, DCS_VALUE_SAVED_LEGACY) == 0 ||
           strcasecmp(name, DCS_VALUE_WINHTTP) == 0;
}

static bool planned(const struct dcs_apply_plan *p, const char *name)
{
    return dcs_apply_plan_find(p, DCS_KEY_CONNECTIONS, name) != NULL;
}

/* Every finished plan has its main value as step 0. */
static void finish(struct dcs_apply_plan *p)
{
    p->action = DCS_APPLY_UNCHANGED;
    if (p->steps[0].action == DCS_APPLY_CREATE)
        p->action = DCS_APPLY_CREATE;
    else if (dcs_apply_plan_changes(p))
        p->action = DCS_APPLY_UPDATE;
}

dcs_status dcs_apply_plan_user(const struct dcs_apply_source *src,
                               const struct dcs_apply_options *opt,
                               const struct dcs_apply_current *cur, struct dcs_apply_plan *out,
                               struct dcs_error *err)
{
    static const struct dcs_apply_options none;
    memset(out, 0, sizeof *out);
    if (!opt)
        opt = &none;
    dcs_status rc = dcs_apply_source_check(src, err);
    if (rc == DCS_OK)
        rc = plan_blob_value(out, src, cur, DCS_VALUE_DEFAULT, src->blob, err);
    if (rc == DCS_OK && !opt->only_default)
        rc = plan_blob_value(out, src, cur, DCS_VALUE_SAVED_LEGACY,
                             src->saved_legacy.len ? src->saved_legacy : src->blob, err);
    for (size_t i = 0; rc == DCS_OK && i < opt->nconnections; i++) {
        const char *name = opt->connections[i];
        if (is_reserved(name))
            rc = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                               "\"%s\" is not a connection name", name);
        else if (!planned(out, name))
            rc = plan_blob_value(out, src, cur, name, src->blob, err);
    }
    for (size_t i = 0; rc == DCS_OK && opt->all_connections && cur && i < cur->nvalues; i++) {
        const struct dcs_apply_value *v = &cur->values[i];
        if (strcasecmp(v->key, DCS_KEY_CONNECTIONS) == 0 && !is_reserved(v->name) &&
            !planned(out, v->name))
            rc = plan_blob_value(out, src, cur, v->name, src->blob, err);
    }
    if (rc == DCS_OK && !opt->no_plain_values)
        rc = plan_plain(out, cur, out->steps[0].wanted, out->steps[0].wanted_len, err);
    if (rc != DCS_OK) {
        dcs_apply_plan_free(out);
        return rc;
    }
    finish(out);
    return DCS_OK;
}

/* The WinHttpSettings steps (and the WOW6432Node copy when that key exists),
 * appended to p. */
static dcs_status plan_winhttp(struct dcs_apply_plan *p, const struct dcs_apply_source *src,
                               const struct dcs_apply_current *cur, struct dcs_error *err)
{
    /* the IE settings being applied: the copied blob, or what the mode gives
     * a target without previous settings (only proxy and bypass matter) */
    struct dcs_apply_step ie = {0};
    dcs_status rc;
    if (src->mode == DCS_MODE_COPY)
        rc = set_wanted(&ie, DCS_REG_BINARY, src->blob.ptr, src->blob.len, err);
    else
        rc = build_for_mode(src, NULL, &ie, err);
    struct dcs_blob ieb, wh;
    if (rc == DCS_OK)
        rc = dcs_blob_decode(ie.wanted, ie.wanted_len, DCS_DECODE_WININET, &ieb, err);
    if (rc == DCS_OK)
        rc = dcs_blob_to_winhttp(&ieb, DCS_VERSION_WINHTTP28, &wh, err);
    uint8_t buf[64];
    uint8_t *enc = NULL;
    size_t len = 0;
    if (rc == DCS_OK) {
        len = dcs_blob_encoded_size(&wh);
        enc = len <= sizeof buf ? buf : malloc(len);
        if (!enc)
            rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        else
            rc = dcs_blob_encode(&wh, enc, len, &len, err);
    }
    const char *keys[2] = {DCS_KEY_MACHINE_CONNECTIONS, DCS_KEY_MACHINE_CONNECTIONS_WOW64};
    for (size_t k = 0; rc == DCS_OK && k < (cur && cur->has_wow64 ? 2u : 1u); k++) {
        struct dcs_apply_step *s;
        rc = add_step(p, keys[k], DCS_VALUE_WINHTTP, find(cur, keys[k], DCS_VALUE_WINHTTP), err,
                      &s);
        if (rc == DCS_OK)
            rc = set_wanted(s, DCS_REG_BINARY, enc, len, err);
        if (rc == DCS_OK)
            judge_blob(s, DCS_DECODE_WINHTTP);
    }
    if (enc != buf)
        free(enc);
    free(ie.wanted);
    return rc;
}

/* The machine-wide settings: HKLM's Connections blobs, then the policy that
 * makes Windows use them instead of each user's (ProxySettingsPerUser = 0). */
static dcs_status plan_machine_ie(struct dcs_apply_plan *p, const struct dcs_apply_source *src,
                                  const struct dcs_apply_options *opt,
                                  const struct dcs_apply_current *cur, struct dcs_error *err)
{
    dcs_status rc = plan_blob_at(p, src, cur, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_DEFAULT,
                                 src->blob, err);
    if (rc == DCS_OK && !opt->only_default)
        rc = plan_blob_at(p, src, cur, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_SAVED_LEGACY,
                          src->saved_legacy.len ? src->saved_legacy : src->blob, err);
    const struct dcs_apply_value *v = find(cur, DCS_KEY_POLICY_INTERNET_SETTINGS,
                                           DCS_VALUE_PER_USER);
    struct dcs_apply_step *s;
    if (rc == DCS_OK)
        rc = add_step(p, DCS_KEY_POLICY_INTERNET_SETTINGS, DCS_VALUE_PER_USER, v, err, &s);
    static const uint8_t zero[4] = {0, 0, 0, 0};
    if (rc == DCS_OK)
        rc = set_wanted(s, DCS_REG_DWORD, zero, 4, err);
    if (rc == DCS_OK)
        s->action = !v ? DCS_APPLY_CREATE
                    : v->type == DCS_REG_DWORD && v->data.len == 4 &&
                              memcmp(v->data.ptr, zero, 4) == 0
                        ? DCS_APPLY_UNCHANGED
                        : DCS_APPLY_UPDATE;
    return rc;
}

dcs_status dcs_apply_plan_software(const struct dcs_apply_source *src,
                                   const struct dcs_apply_options *opt,
                                   const struct dcs_apply_current *cur, unsigned what,
                                   struct dcs_apply_plan *out, struct dcs_error *err)
{
    static const struct dcs_apply_options none;
    memset(out, 0, sizeof *out);
    if (!opt)
        opt = &none;
    if (!(what & (DCS_PLAN_MACHINE_WIDE | DCS_PLAN_WINHTTP)) ||
        (what & ~(DCS_PLAN_MACHINE_WIDE | DCS_PLAN_WINHTTP)))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "plan the machine-wide settings, WinHttpSettings or both");
    dcs_status rc = dcs_apply_source_check(src, err);
    if (rc == DCS_OK && (what & DCS_PLAN_MACHINE_WIDE))
        rc = plan_machine_ie(out, src, opt, cur, err);
    if (rc == DCS_OK && (what & DCS_PLAN_WINHTTP))
        rc = plan_winhttp(out, src, cur, err);
    if (rc != DCS_OK) {
        dcs_apply_plan_free(out);
        return rc;
    }
    finish(out);
    return DCS_OK;
}

dcs_status dcs_apply_plan_machine(const struct dcs_apply_source *src,
                                  const struct dcs_apply_current *cur,
                                  struct dcs_apply_plan *out, struct dcs_error *err)
{
    return dcs_apply_plan_software(src, NULL, cur, DCS_PLAN_WINHTTP, out, err);
}

const struct dcs_apply_step *dcs_apply_plan_find(const struct dcs_apply_plan *p,
                                                 const char *key, const char *name)
{
    for (size_t i = 0; i < p->nsteps; i++)
        if (strcasecmp(p->steps[i].key, key) == 0 && strcasecmp(p->steps[i].name, name) == 0)
            return &p->steps[i];
    return NULL;
}

bool dcs_apply_plan_changes(const struct dcs_apply_plan *p)
{
    for (size_t i = 0; i < p->nsteps; i++)
        if (p->steps[i].action != DCS_APPLY_UNCHANGED)
            return true;
    return false;
}

void dcs_apply_plan_free(struct dcs_apply_plan *p)
{
    for (size_t i = 0; i < p->nsteps; i++) {
        free(p->steps[i].wanted);
        p->steps[i].wanted = NULL;
    }
    free(p->steps);
    p->steps = NULL;
    p->nsteps = 0;
}
