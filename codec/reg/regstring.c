/* .reg reader: quoted text (value names and REG_SZ data), including REG_SZ
 * data that runs over several lines.
 *
 * regedit writes the line breaks of a REG_SZ value raw, inside the quotes
 * (an untouched export shows `"State"="{<CR><LF>  \"a\":1<CR><LF>}"`).  So a
 * string not closed on its line continues on the next ones, each line break
 * (CR LF, LF or a bare CR, exactly as in the file) part of the data, up to
 * the first unescaped quote; only spaces, tabs and a ';' comment may follow
 * that quote.  What Windows' own import does with such a file is unknown:
 * lenient mode reads it with a warning naming the value, strict mode
 * refuses it.  A continuation line whose first unescaped quote is followed
 * by anything else drops the value and is read again as an ordinary line,
 * so that a string left open by mistake costs the lines up to the next
 * value line, not the rest of the file. */
#include "reg/regread_int.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define REG_SSE2 1
#else
#define REG_SSE2 0
#endif

#define U(i) dcs_ld16le(p + 2 * (size_t)(i))

static inline uint32_t col(size_t i)
{
    return i >= UINT32_MAX ? UINT32_MAX : (uint32_t)i + 1;
}

static size_t skip_ws(const uint8_t *p, size_t i, size_t n)
{
    while (i < n && (U(i) == ' ' || U(i) == '\t'))
        i++;
    return i;
}

/* Index of the first '"' or '\\' unit in p[i..n), or n: what lies before
 * it is copied as it is. */
static size_t plain_run(const uint8_t *p, size_t i, size_t n)
{
#if REG_SSE2
    const __m128i quote = _mm_set1_epi16('"'), bsl = _mm_set1_epi16('\\');
    for (; i + 8 <= n; i += 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi16(v, quote), _mm_cmpeq_epi16(v, bsl)));
        if (m)
            return i + (size_t)__builtin_ctz(m) / 2;
    }
#endif
    while (i < n && U(i) != '"' && U(i) != '\\')
        i++;
    return i;
}

size_t dcsi_reg_unescape(struct dcs_reg_reader *r, const uint8_t *p, size_t i, size_t n,
                         size_t *units, const char **why, size_t *bad)
{
    *units = 0;
    if (!dcsi_reg_grow(r, &r->tmp, 2 * (n - i) + 4, 2 * r->opt.max_line + 64)) {
        *why = "out of memory";
        *bad = i;
        return 0;
    }
    uint8_t *d = r->tmp.p;
    while (i < n) {
        size_t k = plain_run(p, i, n);
        memcpy(d, p + 2 * i, 2 * (k - i));
        d += 2 * (k - i);
        i = k;
        if (i == n)
            break;
        unsigned u = U(i);
        if (u == '"') {
            *units = (size_t)(d - r->tmp.p) / 2;
            return i + 1;
        }
        if (u == '\\') {
            if (++i >= n) {
                /* Windows does not continue a string with a backslash
                 * (reg-cases no-continuation-for-dword-or-string) */
                *why = "backslash at the end of the line: strings have no backslash "
                       "continuation";
                *bad = i - 1;
                *units = (size_t)(d - r->tmp.p) / 2;
                return 0;
            }
            u = U(i);
            switch (u) {
            case 'n': u = 0x0A; break;
            case 'r': u = 0x0D; break;
            case '\\':
            case '"': break;
            case '0':
                *why = "'\\0' is not allowed in a quoted string";
                *bad = i - 1;
                *units = (size_t)(d - r->tmp.p) / 2;
                return 0;
            default:
                dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(i - 1),
                              "unknown escape sequence: the backslash is dropped");
                break;
            }
        }
        dcs_st16le(d, (uint16_t)u);
        d += 2;
        i++;
    }
    *units = (size_t)(d - r->tmp.p) / 2;
    *why = "missing closing quote";
    *bad = n;
    return 0;
}

static const char *value_name(const struct dcs_reg_reader *r)
{
    return r->name.len > 1 ? (const char *)r->name.p : "@";
}

/* The limit is checked here, not only when the buffer grows: r->val may
 * have grown larger for an earlier value (hex data are checked as written,
 * REGEDIT4 text widens). */
static bool within_limit(struct dcs_reg_reader *r, size_t bytes)
{
    if (bytes <= r->opt.max_value + 2)
        return true;
    dcsi_reg_fatal(r, DCS_ERR_LIMIT, 1, "string value larger than %zu bytes", r->opt.max_value);
    return false;
}

/* Append the units just unescaped into r->tmp to the data being built. */
static bool append_tmp(struct dcs_reg_reader *r, size_t units)
{
    if (!within_limit(r, r->val.len + 2 * units + 2) ||
        !dcsi_reg_grow(r, &r->val, r->val.len + 2 * units + 2, r->opt.max_value + 2))
        return false;
    memcpy(r->val.p + r->val.len, r->tmp.p, 2 * units);
    r->val.len += 2 * units;
    return true;
}

/* The string is closed: add the terminating NUL and hand the value out. */
static void finish_string(struct dcs_reg_reader *r)
{
    if (!dcsi_reg_grow(r, &r->val, r->val.len + 2, r->opt.max_value + 2))
        return;
    r->val.p[r->val.len++] = 0;
    r->val.p[r->val.len++] = 0;
    r->val_type = DCS_REG_SZ;
    if (r->key_open)
        dcsi_reg_queue_value(r, DCS_REG_OP_SET_VALUE);
}

/* What follows the closing quote at p[k..e): spaces, tabs, a ';' comment. */
static bool rest_ok(struct dcs_reg_reader *r, const uint8_t *p, size_t k, size_t e, bool cont)
{
    k = skip_ws(p, k, e);
    if (k >= e || U(k) == ';')
        return true;
    dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(k),
                  cont ? "text after the closing quote of the multi-line string of value '%s' "
                         "(only ';' comments may follow): value not set, this line read again"
                       : "text after the closing quote (only ';' comments may follow): value "
                         "'%s' not set",
                  value_name(r));
    return false;
}

void dcsi_reg_string_value(struct dcs_reg_reader *r, const uint8_t *p, size_t j, size_t e)
{
    const char *why = NULL;
    size_t units = 0, bad = 0;
    r->val.len = 0;
    size_t k = dcsi_reg_unescape(r, p, j + 1, e, &units, &why, &bad);
    if (!k && bad == e && !r->line_nul && !r->fatal && strcmp(why, "missing closing quote") == 0) {
        /* not closed on this line: it goes on on the next ones */
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(j),
                      "the string data of value '%s' is not closed on its line: read on the "
                      "next lines with their line breaks, as regedit exports such data (what "
                      "Windows' own import does with it is unknown; strict mode refuses it)",
                      value_name(r));
        if (!r->fatal && append_tmp(r, units))
            r->phase = PH_STRCONT;
        return;
    }
    if (!k) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(bad), "invalid string data (%s): value not set",
                      why);
        return;
    }
    if (!rest_ok(r, p, k, e, false) || !append_tmp(r, units))
        return;
    finish_string(r);
}

void dcsi_reg_string_break(struct dcs_reg_reader *r, unsigned term)
{
    if (!within_limit(r, r->val.len + 4) ||
        !dcsi_reg_grow(r, &r->val, r->val.len + 2, r->opt.max_value + 2)) {
        r->phase = PH_LINES;
        return;
    }
    dcs_st16le(r->val.p + r->val.len, (uint16_t)term);
    r->val.len += 2;
}

bool dcsi_reg_string_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n)
{
    const char *why = NULL;
    size_t units = 0, bad = 0;
    size_t k = dcsi_reg_unescape(r, p, 0, n, &units, &why, &bad);
    if (!k && bad == n && strcmp(why, "missing closing quote") == 0 && !r->line_nul) {
        if (!append_tmp(r, units))
            r->phase = PH_LINES;
        return false; /* still open */
    }
    r->phase = PH_LINES;
    if (!k) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(bad),
                      "invalid string data (%s) in the multi-line string of value '%s': "
                      "value not set",
                      why, value_name(r));
        return false;
    }
    size_t e = n;
    while (e > k && (U(e - 1) == ' ' || U(e - 1) == '\t'))
        e--;
    if (!rest_ok(r, p, k, e, true))
        return true;
    if (append_tmp(r, units))
        finish_string(r);
    return false;
}

void dcsi_reg_string_eof(struct dcs_reg_reader *r)
{
    r->phase = PH_LINES;
    dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, 1,
                  "end of file inside the multi-line string of value '%s' (missing closing "
                  "quote): value not set",
                  value_name(r));
}
