/* JSON <-> blob model.  Output and input both go through jansson, which
 * handles escaping, UTF-8 validation and number parsing; we only map fields. */
#include "json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int utf8_ok(dcs_bytes s)
{
    /* jansson validates UTF-8 for us: a failed json_stringn means "not UTF-8". */
    json_t *j = json_stringn((const char *)s.ptr, s.len);
    if (!j)
        return 0;
    json_decref(j);
    return 1;
}

static json_t *hexstr(const void *p, size_t n)
{
    char *buf = malloc(2 * n + 1);
    if (!buf)
        return NULL;
    dcs_hex_encode(p, n, buf);
    json_t *j = json_stringn(buf, 2 * n);
    free(buf);
    return j;
}

/* Strings are bytes; show them as UTF-8 text when they are, else as Latin-1
 * text plus an exact "<key>_hex" twin that encoding prefers. */
static void put_string(json_t *o, const char *key, dcs_bytes s)
{
    if (s.len == 0 || utf8_ok(s)) {
        json_object_set_new(o, key, json_stringn(s.len ? (const char *)s.ptr : "", s.len));
        return;
    }
    char *u = malloc((size_t)s.len * 2 + 1);
    size_t n = 0;
    if (!u)
        return;
    for (uint32_t i = 0; i < s.len; i++) {
        uint8_t c = s.ptr[i];
        if (c < 0x80) {
            u[n++] = (char)c;
        } else {
            u[n++] = (char)(0xC0 | c >> 6);
            u[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
    json_object_set_new(o, key, json_stringn(u, n));
    free(u);
    char hk[64];
    snprintf(hk, sizeof hk, "%s_hex", key);
    json_object_set_new(o, hk, hexstr(s.ptr, s.len));
}

static json_t *u64(uint64_t v)
{
    if (v <= (uint64_t)INT64_MAX)
        return json_integer((json_int_t)v);
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return json_string(buf);
}

/* The socket-address records as {family, address, port, scope_id, raw}. */
static json_t *sockaddrs_json(const struct dcs_blob *b)
{
    char buf[128];
    json_t *a = json_array();
    for (uint32_t k = 0; k < b->sockaddr_count; k++) {
        const uint8_t *rec = b->sockaddrs + (size_t)k * DCS_SOCKADDR_RECORD_SIZE;
        struct dcs_sockaddr sa;
        dcs_sockaddr_decode(rec, &sa);
        dcs_sockaddr_format(&sa, buf, sizeof buf);
        json_t *e = json_object();
        json_object_set_new(e, "family", json_integer(sa.family));
        json_object_set_new(e, "address", json_string(buf));
        json_object_set_new(e, "port", json_integer(sa.port));
        json_object_set_new(e, "scope_id", json_integer(sa.scope_id));
        json_object_set_new(e, "raw", hexstr(rec, DCS_SOCKADDR_RECORD_SIZE));
        json_array_append_new(a, e);
    }
    return a;
}

json_t *json_from_blob(const struct dcs_blob *b, size_t size)
{
    json_t *o = json_object();
    char buf[128];
    if (!o)
        return NULL;
    const uint32_t nf = b->nfields;
    json_object_set_new(o, "format", json_string(b->format == DCS_FORMAT_WINHTTP ? "winhttp"
                                                                              : "wininet"));
    json_object_set_new(o, "version", json_integer(b->version));
    json_object_set_new(o, "size", json_integer((json_int_t)size));
    if (nf > DCS_FIELD_COUNTER)
        json_object_set_new(o, "counter", json_integer(b->counter));
    if (nf > DCS_FIELD_FLAGS) {
        json_object_set_new(o, "flags", json_integer(b->flags));
        json_t *names = json_array();
        static const char *const fn[] = {"DIRECT", "PROXY", "AUTO_PROXY_URL", "AUTO_DETECT"};
        for (unsigned bit = 0; bit < 4; bit++)
            if (b->flags & (1u << bit))
                json_array_append_new(names, json_string(fn[bit]));
        json_object_set_new(o, "flag_names", names);
    }
    if (nf > DCS_FIELD_PROXY)
        put_string(o, "proxy", b->proxy);
    if (nf > DCS_FIELD_BYPASS)
        put_string(o, "bypass", b->bypass);
    if (nf > DCS_FIELD_AUTOCONFIG_URL)
        put_string(o, "autoconfig_url", b->autoconfig_url);
    if (nf > DCS_FIELD_AUTODISCOVERY_FLAGS)
        json_object_set_new(o, "autodiscovery_flags", json_integer(b->autodiscovery_flags));
    if (nf > DCS_FIELD_LAST_DETECT_URL)
        put_string(o, "last_detect_url", b->last_detect_url);
    if (nf > DCS_FIELD_LAST_DETECT_TIME) {
        json_object_set_new(o, "last_detect_time", u64(b->last_detect_time));
        if (dcs_filetime_format(b->last_detect_time, buf, sizeof buf))
            json_object_set_new(o, "last_detect_time_utc", json_string(buf));
        else
            json_object_set_new(o, "last_detect_time_utc", json_null());
    }
    if (nf > DCS_FIELD_IPV4) {
        json_t *a = json_array();
        for (uint32_t k = 0; k < b->ipv4_count; k++) {
            const uint8_t *q = b->ipv4 + 4u * k;
            snprintf(buf, sizeof buf, "%u.%u.%u.%u", q[0], q[1], q[2], q[3]);
            json_array_append_new(a, json_string(buf));
        }
        json_object_set_new(o, "ipv4", a);
    }
    if (nf > DCS_FIELD_SECONDARY_URL)
        put_string(o, "secondary_url", b->secondary_url);
    if (nf > DCS_FIELD_RELOAD_DELAY)
        json_object_set_new(o, "reload_delay_mins", json_integer(b->reload_delay_mins));
    if (nf > DCS_FIELD_SOCKADDRS)
        json_object_set_new(o, "sockaddrs", sockaddrs_json(b));
    if (nf < dcs_blob_field_count(b->format, b->version))
        json_object_set_new(o, "missing_from",
                            json_string(dcs_blob_field_name((enum dcs_blob_field)nf)));
    json_object_set_new(o, "trailer", hexstr(b->trailer.ptr, b->trailer.len));
    json_t *w = json_array();
    for (uint32_t k = 0; k < b->nwarnings; k++) {
        json_t *e = json_object();
        json_object_set_new(e, "offset", json_integer(b->warnings[k].offset));
        json_object_set_new(
            e, "message",
            json_string(dcs_blob_warning_str((enum dcs_blob_warning_code)b->warnings[k].code)));
        json_array_append_new(w, e);
    }
    json_object_set_new(o, "warnings", w);
    return o;
}

void json_store_free(struct json_store *store)
{
    for (unsigned i = 0; i < store->n; i++)
        free(store->chunks[i]);
    store->n = 0;
}

static uint8_t *store_alloc(struct json_store *s, size_t n)
{
    if (s->n == sizeof s->chunks / sizeof s->chunks[0])
        return NULL;
    uint8_t *p = malloc(n ? n : 1);
    if (p)
        s->chunks[s->n++] = p;
    return p;
}

static dcs_status bad(struct dcs_error *err, const char *key, const char *what)
{
    return dcs_error_set(err, DCS_ERR_JSON, DCS_NO_OFFSET, "\"%s\": %s", key, what);
}

/* strtoull() also takes leading blanks and a '-' (and negates, wrapping
 * around); a number given as a string must start with a digit. */
static int unsigned_text(const char *s)
{
    return *s >= '0' && *s <= '9';
}

static dcs_status get_u32(json_t *o, const char *key, uint32_t *out, int *present,
                          struct dcs_error *err)
{
    json_t *v = json_object_get(o, key);
    *present = v != NULL;
    if (!v)
        return DCS_OK;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > (json_int_t)UINT32_MAX)
            return bad(err, key, "out of range for a DWORD");
        *out = (uint32_t)i;
        return DCS_OK;
    }
    if (json_is_string(v)) {
        char *end;
        const char *text = json_string_value(v);
        unsigned long long x = strtoull(text, &end, 0);
        if (unsigned_text(text) && !*end && x <= UINT32_MAX) {
            *out = (uint32_t)x;
            return DCS_OK;
        }
    }
    return bad(err, key, "expected an integer (or a \"0x..\" string)");
}

static dcs_status hex_to_store(struct json_store *st, const char *key, const char *text,
                               dcs_bytes *out, struct dcs_error *err)
{
    size_t n = strlen(text), len = 0;
    uint8_t *p = store_alloc(st, n / 2 + 1);
    if (!p)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    struct dcs_error e;
    if (dcs_hex_text_decode(text, n, p, n / 2 + 1, &len, &e) != DCS_OK)
        return bad(err, key, e.message);
    if (len > UINT32_MAX)
        return bad(err, key, "too long");
    *out = (dcs_bytes){p, (uint32_t)len};
    return DCS_OK;
}

static dcs_status get_string(json_t *o, struct json_store *st, const char *key, dcs_bytes *out,
                             struct dcs_error *err)
{
    char hk[64];
    snprintf(hk, sizeof hk, "%s_hex", key);
    json_t *h = json_object_get(o, hk);
    if (h) {
        if (!json_is_string(h))
            return bad(err, hk, "expected a hex string");
        return hex_to_store(st, hk, json_string_value(h), out, err);
    }
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return DCS_OK;
    if (!json_is_string(v))
        return bad(err, key, "expected a string");
    size_t n = json_string_length(v);
    if (n > UINT32_MAX)
        return bad(err, key, "too long");
    uint8_t *p = store_alloc(st, n);
    if (!p)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    memcpy(p, json_string_value(v), n);
    *out = (dcs_bytes){p, (uint32_t)n};
    return DCS_OK;
}

static const char *const known_keys[] = {
    "format", "version", "counter", "flags", "proxy", "bypass", "autoconfig_url",
    "autodiscovery_flags", "last_detect_url", "last_detect_time", "ipv4", "secondary_url",
    "reload_delay_mins", "sockaddrs", "trailer", "missing_from",
    "proxy_hex", "bypass_hex", "autoconfig_url_hex", "last_detect_url_hex", "secondary_url_hex",
    /* output-only keys, ignored on input */
    "flag_names", "last_detect_time_utc", "warnings", "size", "key", "value", "file",
};

static dcs_status read_sockaddrs(json_t *a, struct json_store *st, struct dcs_blob *b,
                                 struct dcs_error *err)
{
    if (!json_is_array(a))
        return bad(err, "sockaddrs", "expected an array");
    size_t n = json_array_size(a);
    if (n > UINT32_MAX / DCS_SOCKADDR_RECORD_SIZE)
        return bad(err, "sockaddrs", "too many records");
    uint8_t *p = store_alloc(st, n * DCS_SOCKADDR_RECORD_SIZE);
    if (!p)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    for (size_t k = 0; k < n; k++) {
        json_t *e = json_array_get(a, k);
        uint8_t *rec = p + k * DCS_SOCKADDR_RECORD_SIZE;
        if (!json_is_object(e))
            return bad(err, "sockaddrs", "each record must be an object");
        json_t *raw = json_object_get(e, "raw");
        if (raw) {
            size_t len = 0;
            struct dcs_error e2;
            if (!json_is_string(raw) ||
                dcs_hex_text_decode(json_string_value(raw), json_string_length(raw), rec,
                                    DCS_SOCKADDR_RECORD_SIZE, &len, &e2) != DCS_OK ||
                len != DCS_SOCKADDR_RECORD_SIZE)
                return bad(err, "sockaddrs.raw", "expected 128 bytes of hex");
            continue;
        }
        struct dcs_sockaddr sa;
        uint32_t fam = 0, port = 0, scope = 0;
        int have;
        memset(&sa, 0, sizeof sa);
        if (get_u32(e, "family", &fam, &have, err) || !have || fam > 0xFFFF)
            return bad(err, "sockaddrs.family", "expected 2 (AF_INET) or 23 (AF_INET6)");
        if (get_u32(e, "port", &port, &have, err) || port > 0xFFFF)
            return bad(err, "sockaddrs.port", "expected 0..65535");
        if (get_u32(e, "scope_id", &scope, &have, err))
            return DCS_ERR_JSON;
        json_t *addr = json_object_get(e, "address");
        const char *as = json_is_string(addr) ? json_string_value(addr) : NULL;
        sa.family = (uint16_t)fam;
        sa.port = (uint16_t)port;
        sa.scope_id = scope;
        if (!as || inet_pton(fam == DCS_AF_INET6 ? AF_INET6 : AF_INET, as, sa.addr) != 1)
            return bad(err, "sockaddrs.address", "expected an IPv4 or IPv6 address");
        dcs_sockaddr_encode(&sa, rec);
    }
    b->sockaddr_count = (uint32_t)n;
    b->sockaddrs = p;
    return DCS_OK;
}

static dcs_status read_ipv4(json_t *a, struct json_store *st, struct dcs_blob *b,
                            struct dcs_error *err)
{
    if (!json_is_array(a))
        return bad(err, "ipv4", "expected an array of dotted addresses");
    size_t n = json_array_size(a);
    if (n > UINT32_MAX / 4)
        return bad(err, "ipv4", "too many addresses");
    uint8_t *p = store_alloc(st, n * 4);
    if (!p)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    for (size_t k = 0; k < n; k++) {
        json_t *e = json_array_get(a, k);
        if (!json_is_string(e) || inet_pton(AF_INET, json_string_value(e), p + 4 * k) != 1)
            return bad(err, "ipv4", "expected dotted IPv4 addresses");
    }
    b->ipv4_count = (uint32_t)n;
    b->ipv4 = p;
    return DCS_OK;
}

/* Every key of o is one the schema knows. */
static dcs_status check_keys(json_t *o, struct dcs_error *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        size_t i;
        for (i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
            if (strcmp(k, known_keys[i]) == 0)
                break;
        if (i == sizeof known_keys / sizeof known_keys[0])
            return bad(err, k, "unknown key");
    }
    return DCS_OK;
}

/* The fields only a WinINET blob has. */
static dcs_status read_wininet(json_t *o, struct json_store *st, struct dcs_blob *b,
                               struct dcs_error *err)
{
    dcs_status s;
    int have;
    if ((s = get_string(o, st, "autoconfig_url", &b->autoconfig_url, err)) ||
        (s = get_u32(o, "autodiscovery_flags", &b->autodiscovery_flags, &have, err)) ||
        (s = get_string(o, st, "last_detect_url", &b->last_detect_url, err)) ||
        (s = get_string(o, st, "secondary_url", &b->secondary_url, err)) ||
        (s = get_u32(o, "reload_delay_mins", &b->reload_delay_mins, &have, err)))
        return s;
    json_t *t = json_object_get(o, "last_detect_time");
    if (json_is_integer(t) && json_integer_value(t) >= 0) {
        b->last_detect_time = (uint64_t)json_integer_value(t);
    } else if (json_is_string(t)) {
        char *end;
        errno = 0;
        b->last_detect_time = strtoull(json_string_value(t), &end, 0);
        if (*end || !unsigned_text(json_string_value(t)) || errno == ERANGE)
            return bad(err, "last_detect_time", "expected a FILETIME integer");
    } else if (t && !json_is_null(t)) {
        return bad(err, "last_detect_time", "expected a FILETIME integer");
    }
    json_t *a = json_object_get(o, "ipv4");
    if (a && (s = read_ipv4(a, st, b, err)))
        return s;
    a = json_object_get(o, "sockaddrs");
    if (a && (s = read_sockaddrs(a, st, b, err)))
        return s;
    if (b->sockaddr_count && b->nfields <= DCS_FIELD_SOCKADDRS)
        return bad(err, "sockaddrs", "version 0x3c has no socket-address section");
    return DCS_OK;
}

/* trailer and missing_from: the bytes after the last field, and where a
 * short blob ends. */
static dcs_status read_tail(json_t *o, struct json_store *st, struct dcs_blob *b,
                            struct dcs_error *err)
{
    dcs_status s;
    json_t *tr = json_object_get(o, "trailer");
    if (tr) {
        if (!json_is_string(tr))
            return bad(err, "trailer", "expected a hex string");
        if ((s = hex_to_store(st, "trailer", json_string_value(tr), &b->trailer, err)))
            return s;
    }
    json_t *mf = json_object_get(o, "missing_from");
    if (mf && !json_is_null(mf)) {
        const char *name = json_string_value(mf);
        uint32_t f;
        for (f = DCS_FIELD_PROXY; f < b->nfields; f++)
            if (name && strcmp(name, dcs_blob_field_name((enum dcs_blob_field)f)) == 0)
                break;
        if (f == b->nfields)
            return bad(err, "missing_from", "not a field of this layout after flags");
        b->nfields = f;
    }
    return DCS_OK;
}

dcs_status json_to_blob(json_t *o, struct json_store *st, struct dcs_blob *b,
                        struct dcs_error *err)
{
    int have;
    if (!json_is_object(o))
        return dcs_error_set(err, DCS_ERR_JSON, DCS_NO_OFFSET, "expected a JSON object");
    dcs_status s = check_keys(o, err);
    if (s)
        return s;
    uint32_t version = 0;
    s = get_u32(o, "version", &version, &have, err);
    if (s)
        return s;
    enum dcs_blob_format format = DCS_FORMAT_WININET;
    json_t *fj = json_object_get(o, "format");
    if (fj) {
        const char *fs = json_string_value(fj);
        if (fs && strcmp(fs, "winhttp") == 0)
            format = DCS_FORMAT_WINHTTP;
        else if (!fs || strcmp(fs, "wininet") != 0)
            return bad(err, "format", "expected \"wininet\" or \"winhttp\"");
    } else if (have && (version == DCS_VERSION_WINHTTP || version == DCS_VERSION_WINHTTP28)) {
        format = DCS_FORMAT_WINHTTP;
    }
    dcs_blob_init(b, format, version);
    if ((s = get_u32(o, "counter", &b->counter, &have, err)) ||
        (s = get_u32(o, "flags", &b->flags, &have, err)))
        return s;
    if (!have)
        b->flags = DCS_PROXY_TYPE_DIRECT;
    if ((s = get_string(o, st, "proxy", &b->proxy, err)) ||
        (s = get_string(o, st, "bypass", &b->bypass, err)))
        return s;
    if (format == DCS_FORMAT_WININET && (s = read_wininet(o, st, b, err)))
        return s;
    return read_tail(o, st, b, err);
}

size_t json_winhttp_dropped(json_t *o, char *out, size_t cap)
{
    static const char *const wininet_only[] = {
        "autoconfig_url", "autoconfig_url_hex", "autodiscovery_flags", "last_detect_url",
        "last_detect_url_hex", "last_detect_time", "ipv4", "secondary_url",
        "secondary_url_hex", "reload_delay_mins", "sockaddrs",
    };
    size_t n = 0, used = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof wininet_only / sizeof wininet_only[0]; i++) {
        json_t *v = json_object_get(o, wininet_only[i]);
        /* an empty value loses nothing when left out */
        if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
            (json_is_integer(v) && !json_integer_value(v)) ||
            (json_is_array(v) && !json_array_size(v)))
            continue;
        int w = snprintf(out + used, cap - used, "%s%s", n ? ", " : "", wininet_only[i]);
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
        n++;
    }
    return n;
}

int json_print(json_t *value, FILE *f, int compact)
{
    size_t flags = JSON_PRESERVE_ORDER | (compact ? JSON_COMPACT : JSON_INDENT(2));
    if (json_dumpf(value, f, flags) != 0)
        return -1;
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}
