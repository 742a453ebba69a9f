/* Human-readable rendering of a blob model. */
#include "blobview.h"

#include <string.h>

void blobview_quote(FILE *out, dcs_bytes s)
{
    fputc('"', out);
    for (uint32_t i = 0; i < s.len; i++) {
        uint8_t c = s.ptr[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, out);
        else if (c >= 0x80)
            fputc(c, out); /* UTF-8 passes through for the terminal */
        else
            fprintf(out, "\\x%02x", c);
    }
    fputc('"', out);
}

static void adflag_names(FILE *out, uint32_t f)
{
    static const char *const names[] = {"USER_SET", "ALWAYS_DETECT", "DETECTION_RUN",
                                        "MIGRATED", "DONT_CACHE_PROXY_RESULT",
                                        "CACHE_INIT_RUN", "DETECTION_SUSPECT"};
    int first = 1;
    for (unsigned bit = 0; bit < 7; bit++)
        if (f & (1u << bit)) {
            fprintf(out, "%s%s", first ? " " : "|", names[bit]);
            first = 0;
        }
    if (f & ~0x7Fu)
        fprintf(out, "%s0x%x", first ? " " : "|", f & ~0x7Fu);
}

void blobview_effective(FILE *out, const struct dcs_blob *b)
{
    int any = 0;
    if (dcs_blob_uses_autodetect(b)) {
        fputs("auto-detect", out);
        any = 1;
    }
    if (dcs_blob_uses_autoconfig(b)) {
        fprintf(out, "%sscript ", any ? ", " : "");
        blobview_quote(out, b->autoconfig_url);
        any = 1;
    }
    if (dcs_blob_uses_proxy(b)) {
        fprintf(out, "%sproxy ", any ? ", " : "");
        blobview_quote(out, b->proxy);
        if (b->bypass.len) {
            fputs(" bypass ", out);
            blobview_quote(out, b->bypass);
        }
        any = 1;
    }
    if (!any)
        fputs("direct (no proxy)", out);
    fputc('\n', out);
}

static void row(FILE *out, const char *name)
{
    fprintf(out, "%-20s ", name);
}

/* format, counter, flags and the three strings every blob has. */
static void print_head(FILE *out, const struct dcs_blob *b, size_t size)
{
    char buf[160];
    const uint32_t nf = b->nfields;
    row(out, "format");
    fprintf(out, "%s, version 0x%x, %zu bytes\n",
            b->format == DCS_FORMAT_WINHTTP ? "WinHttpSettings" : "WinINET connection settings",
            b->version, size);
    if (nf > DCS_FIELD_COUNTER) {
        row(out, "counter");
        fprintf(out, "%u\n", b->counter);
    }
    if (nf > DCS_FIELD_FLAGS) {
        dcs_blob_flag_names(b->flags, buf, sizeof buf);
        row(out, "flags");
        fprintf(out, "0x%08x %s\n", b->flags, buf);
    }
    static const struct {
        enum dcs_blob_field f;
        size_t off;
    } strings[] = {
        {DCS_FIELD_PROXY, offsetof(struct dcs_blob, proxy)},
        {DCS_FIELD_BYPASS, offsetof(struct dcs_blob, bypass)},
        {DCS_FIELD_AUTOCONFIG_URL, offsetof(struct dcs_blob, autoconfig_url)},
    };
    for (unsigned k = 0; k < 3; k++)
        if (nf > (uint32_t)strings[k].f) {
            row(out, dcs_blob_field_name(strings[k].f));
            blobview_quote(out, *(const dcs_bytes *)((const char *)b + strings[k].off));
            fputc('\n', out);
        }
}

/* The auto-detection fields of a WinINET blob. */
static void print_detection(FILE *out, const struct dcs_blob *b)
{
    char buf[160];
    const uint32_t nf = b->nfields;
    if (nf > DCS_FIELD_AUTODISCOVERY_FLAGS) {
        row(out, "autodiscovery_flags");
        fprintf(out, "0x%08x", b->autodiscovery_flags);
        adflag_names(out, b->autodiscovery_flags);
        fputc('\n', out);
    }
    if (nf > DCS_FIELD_LAST_DETECT_URL) {
        row(out, "last_detect_url");
        blobview_quote(out, b->last_detect_url);
        fputc('\n', out);
    }
    if (nf > DCS_FIELD_LAST_DETECT_TIME) {
        row(out, "last_detect_time");
        fprintf(out, "%llu", (unsigned long long)b->last_detect_time);
        if (dcs_filetime_format(b->last_detect_time, buf, sizeof buf))
            fprintf(out, " (%s)", buf);
        fputc('\n', out);
    }
    if (nf > DCS_FIELD_IPV4) {
        row(out, "ipv4");
        if (!b->ipv4_count)
            fputs("(none)", out);
        for (uint32_t k = 0; k < b->ipv4_count; k++) {
            const uint8_t *q = b->ipv4 + 4u * k;
            fprintf(out, "%s%u.%u.%u.%u", k ? " " : "", q[0], q[1], q[2], q[3]);
        }
        fputc('\n', out);
    }
    if (nf > DCS_FIELD_SECONDARY_URL) {
        row(out, "secondary_url");
        blobview_quote(out, b->secondary_url);
        fputc('\n', out);
    }
    if (nf > DCS_FIELD_RELOAD_DELAY) {
        row(out, "reload_delay_mins");
        fprintf(out, "%u\n", b->reload_delay_mins);
    }
}

/* The 128-byte socket-address records, one line each. */
static void print_sockaddrs(FILE *out, const struct dcs_blob *b)
{
    char buf[160];
    for (uint32_t k = 0; k < b->sockaddr_count; k++) {
        struct dcs_sockaddr sa;
        dcs_sockaddr_decode(b->sockaddrs + (size_t)k * DCS_SOCKADDR_RECORD_SIZE, &sa);
        dcs_sockaddr_format(&sa, buf, sizeof buf);
        fprintf(out, "  [%u] %s %s", k,
                sa.family == DCS_AF_INET ? "AF_INET " : sa.family == DCS_AF_INET6 ? "AF_INET6"
                                                                                  : "family?",
                buf);
        if (sa.family == DCS_AF_INET6)
            fprintf(out, " scope %u", sa.scope_id);
        if (sa.port)
            fprintf(out, " port %u", sa.port);
        if (sa.family != DCS_AF_INET && sa.family != DCS_AF_INET6)
            fprintf(out, " (family %u)", sa.family);
        fputc('\n', out);
    }
}

/* A blob that ends early, and the bytes after the last field. */
static void print_tail(FILE *out, const struct dcs_blob *b)
{
    const uint32_t nf = b->nfields;
    if (nf < dcs_blob_field_count(b->format, b->version)) {
        row(out, "missing_from");
        fprintf(out, "%s (blob ends early)\n", dcs_blob_field_name((enum dcs_blob_field)nf));
    }
    if (b->trailer.len) {
        row(out, "trailer");
        for (uint32_t k = 0; k < b->trailer.len; k++)
            fprintf(out, "%s%02x", k ? " " : "", b->trailer.ptr[k]);
        fputc('\n', out);
    }
}

void blobview_print(FILE *out, const struct dcs_blob *b, size_t size)
{
    print_head(out, b, size);
    print_detection(out, b);
    if (b->nfields > DCS_FIELD_SOCKADDRS) {
        row(out, "sockaddrs");
        fprintf(out, "%u\n", b->sockaddr_count);
        print_sockaddrs(out, b);
    }
    print_tail(out, b);
    row(out, "effective");
    blobview_effective(out, b);
}

static int bytes_eq(dcs_bytes a, dcs_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int diff_str(FILE *out, const char *name, dcs_bytes a, dcs_bytes b)
{
    if (bytes_eq(a, b))
        return 0;
    fprintf(out, "%-20s ", name);
    blobview_quote(out, a);
    fputs(" -> ", out);
    blobview_quote(out, b);
    fputc('\n', out);
    return 1;
}

static int diff_u32(FILE *out, const char *name, uint32_t a, uint32_t b, int hex)
{
    if (a == b)
        return 0;
    fprintf(out, hex ? "%-20s 0x%08x -> 0x%08x\n" : "%-20s %u -> %u\n", name, a, b);
    return 1;
}

int blobview_diff(FILE *out, const struct dcs_blob *a, const struct dcs_blob *b)
{
    int n = 0;
    if (a->format != b->format) {
        fprintf(out, "%-20s %s -> %s\n", "format",
                a->format == DCS_FORMAT_WINHTTP ? "winhttp" : "wininet",
                b->format == DCS_FORMAT_WINHTTP ? "winhttp" : "wininet");
        n++;
    }
    n += diff_u32(out, "version", a->version, b->version, 1);
    if (a->counter != b->counter)
        fprintf(out, "%-20s %u -> %u (not counted as a change)\n", "counter", a->counter,
                b->counter);
    n += diff_u32(out, "flags", a->flags, b->flags, 1);
    n += diff_str(out, "proxy", a->proxy, b->proxy);
    n += diff_str(out, "bypass", a->bypass, b->bypass);
    n += diff_str(out, "autoconfig_url", a->autoconfig_url, b->autoconfig_url);
    n += diff_u32(out, "autodiscovery_flags", a->autodiscovery_flags, b->autodiscovery_flags, 1);
    n += diff_str(out, "last_detect_url", a->last_detect_url, b->last_detect_url);
    if (a->last_detect_time != b->last_detect_time) {
        fprintf(out, "%-20s %llu -> %llu\n", "last_detect_time",
                (unsigned long long)a->last_detect_time, (unsigned long long)b->last_detect_time);
        n++;
    }
    if (a->ipv4_count != b->ipv4_count ||
        (a->ipv4_count && memcmp(a->ipv4, b->ipv4, 4u * (size_t)a->ipv4_count) != 0)) {
        fprintf(out, "%-20s %u addresses -> %u addresses\n", "ipv4", a->ipv4_count,
                b->ipv4_count);
        n++;
    }
    n += diff_str(out, "secondary_url", a->secondary_url, b->secondary_url);
    n += diff_u32(out, "reload_delay_mins", a->reload_delay_mins, b->reload_delay_mins, 0);
    if (a->sockaddr_count != b->sockaddr_count ||
        (a->sockaddr_count && memcmp(a->sockaddrs, b->sockaddrs,
                                     (size_t)a->sockaddr_count * DCS_SOCKADDR_RECORD_SIZE) != 0)) {
        fprintf(out, "%-20s %u records -> %u records\n", "sockaddrs", a->sockaddr_count,
                b->sockaddr_count);
        n++;
    }
    n += diff_u32(out, "fields present", a->nfields, b->nfields, 0);
    if (!bytes_eq(a->trailer, b->trailer)) {
        fprintf(out, "%-20s %u bytes -> %u bytes\n", "trailer", a->trailer.len, b->trailer.len);
        n++;
    }
    return n;
}
