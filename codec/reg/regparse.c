/* .reg reader: the meaning of one logical line (header, key lines, value
 * lines, hex continuations, Windows 3.1 lines).  Lines arrive as UTF-16LE
 * units; 8-bit files were widened by regread.c. */
#include "reg/regread_int.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define REG_SSE2 1
#else
#define REG_SSE2 0
#endif

#define U(i) dcs_ld16le(p + 2 * (size_t)(i))

#define MAX_NAME_UNITS 16383 /* longest value name RegSetValueEx takes */
#define MAX_COMPONENT 255    /* longest key name component */
#define MAX_DEPTH 512        /* deepest key path */

enum { HEX_DONE, HEX_CONT, HEX_BAD, HEX_MORE };

static const uint8_t hexv[128] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

static const char *const root_names[] = {
    "HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER", "HKEY_CLASSES_ROOT", "HKEY_USERS",
    "HKEY_CURRENT_CONFIG"};

static inline bool is_ws(unsigned u)
{
    return u == ' ' || u == '\t';
}

static inline bool is_hex(unsigned u)
{
    return u < 128 && hexv[u] < 16;
}

static size_t skip_ws(const uint8_t *p, size_t i, size_t n)
{
    while (i < n && is_ws(U(i)))
        i++;
    return i;
}

/* p[i..] starts with the ASCII text s (exact case). */
static bool starts(const uint8_t *p, size_t i, size_t n, const char *s)
{
    for (; *s; s++, i++)
        if (i >= n || U(i) != (unsigned char)*s)
            return false;
    return true;
}

static inline uint32_t col(size_t i)
{
    return i >= UINT32_MAX ? UINT32_MAX : (uint32_t)i + 1;
}

/* ---- header ---- */

static void parse_header(struct dcs_reg_reader *r, const uint8_t *p, size_t n)
{
    size_t i = skip_ws(p, 0, n), e = n;
    while (e > i && is_ws(U(e - 1)))
        e--;
    size_t len = e - i;
    if (len == 8 && starts(p, i, e, "REGEDIT4")) {
        r->st.version = DCS_REG_VERSION_4;
        r->phase = PH_LINES;
    } else if (len == 36 && starts(p, i, e, "Windows Registry Editor Version 5.00")) {
        r->st.version = DCS_REG_VERSION_5;
        r->phase = PH_LINES;
    } else if (len == 7 && starts(p, i, e, "REGEDIT")) {
        r->st.version = DCS_REG_VERSION_31;
        r->phase = PH_WIN31;
    } else if (starts(p, i, e, "REGEDIT")) {
        r->st.version = DCS_REG_VERSION_FUZZY;
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(i),
                 "header is neither REGEDIT4 nor 'Windows Registry Editor Version 5.00': "
                 "Windows accepts the file but imports nothing from it");
        r->phase = PH_DONE;
    } else {
        const char *hint = "";
        if (r->us == 1 && r->line_nul)
            hint = " (UTF-16 text without the FF FE byte order mark?)";
        else if (r->us == 1 && n >= 3 && U(0) == 0xEF && U(1) == 0xBB && U(2) == 0xBF)
            hint = " (UTF-8 byte order mark: refused in strict mode, as Wine does; "
                   "in lenient mode it is read as UTF-8)";
        dcsi_reg_fatal(r, DCS_ERR_REG_HEADER, col(i),
                  "not a registry script: the first line must be 'Windows Registry Editor "
                  "Version 5.00' or 'REGEDIT4'%s",
                  hint);
    }
}

/* ---- names ---- */

/* Key path p[s..e) ("ROOT" or "ROOT\path") into r->key.  *has_path says
 * whether there is more than the root.  Returns NULL or why it fails. */
static const char *parse_key(struct dcs_reg_reader *r, const uint8_t *p, size_t s, size_t e,
                             bool *has_path)
{
    size_t b = s;
    while (b < e && U(b) != '\\')
        b++;
    const char *root = NULL;
    for (size_t k = 0; k < sizeof root_names / sizeof root_names[0] && !root; k++) {
        const char *nm = root_names[k];
        size_t len = strlen(nm);
        if (b - s != len)
            continue;
        size_t j = 0;
        for (; j < len; j++) {
            unsigned u = U(s + j);
            if (u >= 'a' && u <= 'z')
                u -= 0x20;
            if (u != (unsigned char)nm[j])
                break;
        }
        if (j == len)
            root = nm;
    }
    if (!root)
        return "unknown root key (only the full names such as HKEY_CURRENT_USER are accepted)";
    size_t ps = b < e ? b + 1 : e, pe = e;
    while (pe > ps && U(pe - 1) == '\\')
        pe--;
    size_t depth = 0, c = ps;
    for (size_t j = ps; j <= pe && ps < pe; j++) {
        if (j < pe && U(j) != '\\')
            continue;
        if (j == c)
            return "empty key name component ('\\\\' in the path)";
        if (j - c > MAX_COMPONENT)
            return "key name component longer than 255 characters";
        if (++depth > MAX_DEPTH)
            return "key path deeper than 512 levels";
        c = j + 1;
    }
    size_t rl = strlen(root);
    if (!dcsi_reg_grow(r, &r->key, rl + 2 + 3 * (pe - ps), r->opt.max_line * 2 + 64))
        return "out of memory";
    memcpy(r->key.p, root, rl);
    size_t len = rl;
    if (ps < pe) {
        r->key.p[len++] = '\\';
        len += dcsi_utf16le_to_utf8(p + 2 * ps, pe - ps, (char *)r->key.p + len);
    }
    r->key.p[len] = 0;
    r->key.len = len + 1;
    *has_path = ps < pe;
    return NULL;
}

/* ---- values ---- */

static void emit_value(struct dcs_reg_reader *r)
{
    if (r->key_open)
        dcsi_reg_queue_value(r, DCS_REG_OP_SET_VALUE);
}

#if REG_SSE2
/* Five groups of exactly "xx," (15 units; 16 are read) at p into d[0..5),
 * with d[5..8) clobbered: false, nothing written, when any group differs
 * (a unit above 0xFF, a digit that is not hex, a comma missing or moved).
 * The units are narrowed to bytes (saturating: anything above 0xFF becomes
 * 0x00 or 0xFF, neither a digit nor a comma), checked against the fixed
 * pattern of the 15 positions, turned into nibbles, and each digit pair
 * joined.  Five groups fill one vector: a regedit continuation line holds
 * 25 of them. */
static inline bool hex_block5(const uint8_t *p, uint8_t *d)
{
    const __m128i *v = (const __m128i *)(const void *)p;
    __m128i c = _mm_packus_epi16(_mm_loadu_si128(v), _mm_loadu_si128(v + 1));
    __m128i dg = _mm_sub_epi8(c, _mm_set1_epi8('0'));
    __m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(dg, _mm_set1_epi8(9)), dg); /* '0'..'9' */
    __m128i lt = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i isl = _mm_cmpeq_epi8(_mm_min_epu8(lt, _mm_set1_epi8(5)), lt); /* a-f, A-F */
    unsigned hexm = (unsigned)_mm_movemask_epi8(_mm_or_si128(isd, isl));
    unsigned comm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8(',')));
    /* commas at 2, 5, 8, 11, 14, digits at the other places below 15 */
    if ((hexm & 0x7FFF) != 0x36DB || (comm & 0x7FFF) != 0x4924)
        return false;
    /* '0'..'9' & 15 is the digit; 'a' & 15 is 1, plus 9 */
    __m128i nib = _mm_add_epi8(_mm_and_si128(c, _mm_set1_epi8(0x0F)),
                               _mm_and_si128(isl, _mm_set1_epi8(9)));
    /* j[k] = nib[k] << 4 | nib[k + 1] */
    __m128i j = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(nib, 4), _mm_set1_epi8((char)0xF0)),
                             _mm_srli_si128(nib, 1));
    /* The bytes wanted are j[0, 3, 6 | 9, 12]: per 64-bit lane, mask them
     * and gather them with one multiply whose partial products land in
     * distinct bytes (no carries), then shift. */
    uint64_t l0 = (uint64_t)_mm_cvtsi128_si64(j) & 0x00FF0000FF0000FFull;
    uint64_t l1 = (uint64_t)_mm_cvtsi128_si64(_mm_srli_si128(j, 8)) & 0x000000FF0000FF00ull;
    uint64_t out = (l0 * 0x0000010001000100ull) >> 40 |        /* bytes 0, 3, 6 */
                   ((l1 * 0x0000000100010000ull) >> 40) << 24; /* 9, 12 */
    memcpy(d, &out, 8);
    return true;
}
#endif

/* The fast path of parse_hex: runs of exactly "xx," read five groups at a
 * time (SSE2), then 8 bytes (four UTF-16LE units) at a time.  Returns where
 * the run stops; *dp advanced. */
static inline size_t hex_fast(const uint8_t *p, size_t i, size_t n, uint8_t **dp)
{
    uint8_t *d = *dp;
#if REG_SSE2
    while (i + 16 <= n && hex_block5(p + 2 * i, d)) {
        d += 5;
        i += 15;
    }
#endif
    while (i + 4 <= n) {
        uint64_t w;
        memcpy(&w, p + 2 * i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if ((w & 0x0000FFFFFF80FF80ull) != 0x0000002C00000000ull)
            break;
        unsigned a = hexv[w & 0x7F], b = hexv[(w >> 16) & 0x7F];
#else
        unsigned u0 = U(i), u1 = U(i + 1);
        if (U(i + 2) != ',' || (u0 | u1) >= 128)
            break;
        unsigned a = hexv[u0], b = hexv[u1];
        (void)w;
#endif
        if ((a | b) & 0xF0)
            break;
        *d++ = (uint8_t)(a << 4 | b);
        i += 3;
    }
    *dp = d;
    return i;
}

/* A hex number of any width at p[*ip] (one byte: at most 0xFF) and what
 * ends it: HEX_MORE after a comma, HEX_DONE at the end of the data (or a
 * comment), HEX_BAD with *bad set. */
static int hex_number(const uint8_t *p, size_t *ip, size_t n, uint8_t **dp, size_t *bad)
{
    size_t i = *ip;
    unsigned u, v = 0;
    while (i < n && is_hex(u = U(i))) {
        v = v << 4 | hexv[u];
        if (v > 0xFF)
            v = 0x100;
        i++;
    }
    if (v > 0xFF) {
        *bad = i - 1;
        return HEX_BAD;
    }
    *(*dp)++ = (uint8_t)v;
    if (i < n && U(i) == ',') {
        *ip = i + 1;
        return HEX_MORE;
    }
    if (i < n)
        i = skip_ws(p, i, n);
    *ip = i;
    if (i == n || U(i) == ';')
        return HEX_DONE;
    *bad = i;
    return HEX_BAD;
}

/* Not a hex digit at p[*ip]: a line continuation, a comment, or an error. */
static int hex_other(const uint8_t *p, size_t *ip, size_t n, size_t *bad)
{
    size_t i = *ip;
    unsigned u = U(i);
    if (u == ';')
        return HEX_DONE;
    if (u == '\\') {
        i = skip_ws(p, i + 1, n);
        *ip = i;
        if (i == n || U(i) == ';')
            return HEX_CONT;
    }
    *bad = i;
    return HEX_BAD;
}

/* Parse comma-separated hex bytes p[i..n) and append them to r->val. */
static int parse_hex(struct dcs_reg_reader *r, const uint8_t *p, size_t i, size_t n, size_t *bad)
{
    size_t limit = r->opt.max_value;
    if (!dcsi_reg_grow(r, &r->val, r->val.len + (n - i) / 2 + 8, limit + (n - i) / 2 + 8)) {
        *bad = i;
        return HEX_BAD;
    }
    uint8_t *d = r->val.p + r->val.len;
    int res = HEX_MORE;
    while (res == HEX_MORE) {
        i = skip_ws(p, hex_fast(p, i, n, &d), n);
        if (i == n)
            res = HEX_DONE;
        else if (is_hex(U(i)))
            res = hex_number(p, &i, n, &d, bad);
        else
            res = hex_other(p, &i, n, bad);
    }
    if (res == HEX_BAD)
        return HEX_BAD;
    r->val.len = (size_t)(d - r->val.p);
    if (r->val.len > limit) {
        dcsi_reg_fatal(r, DCS_ERR_LIMIT, col(i), "value data larger than %zu bytes", limit);
        return HEX_BAD;
    }
    return res;
}

/* hex(1)/hex(2)/hex(7): append the missing NUL; REGEDIT4 bytes are ANSI
 * text and become UTF-16LE (codec/reg/FORMAT.md §1.3, §6.6). */
static bool finish_string_hex(struct dcs_reg_reader *r)
{
    uint32_t t = r->val_type;
    if ((t != DCS_REG_SZ && t != DCS_REG_EXPAND_SZ && t != DCS_REG_MULTI_SZ) || !r->val.len)
        return true;
    size_t lim = r->opt.max_value + 16;
    if (r->st.version == DCS_REG_VERSION_4) {
        if (!dcsi_reg_grow(r, &r->val, r->val.len + 1, lim))
            return false;
        if (r->val.p[r->val.len - 1] != 0)
            r->val.p[r->val.len++] = 0;
        if (!dcsi_reg_grow(r, &r->tmp, 2 * r->val.len + 2, 2 * lim))
            return false;
        size_t units;
        if (r->cp == DCS_REG_CP1252)
            units = dcsi_cp1252_to_utf16le(r->val.p, r->val.len, r->tmp.p);
        else
            units = dcsi_utf8_to_utf16le_lossy((const char *)r->val.p, r->val.len, r->tmp.p, NULL);
        if (!dcsi_reg_grow(r, &r->val, 2 * units, 2 * lim))
            return false;
        memcpy(r->val.p, r->tmp.p, 2 * units);
        r->val.len = 2 * units;
        return true;
    }
    if (!dcsi_reg_grow(r, &r->val, r->val.len + 3, lim))
        return false;
    if (r->val.len & 1)
        r->val.p[r->val.len++] = 0;
    if (r->val.p[r->val.len - 1] || r->val.p[r->val.len - 2]) {
        r->val.p[r->val.len++] = 0;
        r->val.p[r->val.len++] = 0;
    }
    return true;
}

static void finish_hex(struct dcs_reg_reader *r)
{
    if (finish_string_hex(r))
        emit_value(r);
}

static void bad_hex(struct dcs_reg_reader *r, size_t bad)
{
    dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(bad), "invalid hex data: value '%s' not set",
             r->name.len ? (const char *)r->name.p : "");
    r->phase = PH_LINES;
}

static void dword_value(struct dcs_reg_reader *r, const uint8_t *p, size_t k, size_t e)
{
    k = skip_ws(p, k, e);
    size_t s = k;
    uint32_t v = 0;
    while (k < e && is_hex(U(k)) && k - s < 9) {
        v = v << 4 | hexv[U(k)];
        k++;
    }
    size_t digits = k - s;
    k = skip_ws(p, k, e);
    if (digits < 1 || digits > 8 || (k < e && U(k) != ';')) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(digits == 0 ? s : digits > 8 ? s + 8 : k),
                 "invalid dword (1 to 8 hex digits, then only a ';' comment): value not set");
        return;
    }
    if (!dcsi_reg_grow(r, &r->val, 4, r->opt.max_value + 4))
        return;
    for (int b = 0; b < 4; b++)
        r->val.p[b] = (uint8_t)(v >> (8 * b));
    r->val.len = 4;
    r->val_type = DCS_REG_DWORD;
    emit_value(r);
}

static void hex_value(struct dcs_reg_reader *r, const uint8_t *p, size_t k, size_t e,
                      uint32_t type)
{
    size_t bad = 0;
    r->val.len = 0;
    r->val_type = type;
    int res = parse_hex(r, p, k, e, &bad);
    if (res == HEX_BAD) {
        if (!r->fatal)
            bad_hex(r, bad);
    } else if (res == HEX_CONT) {
        r->phase = PH_HEXCONT;
    } else {
        finish_hex(r);
    }
}

/* The value's name at p[start] ("name" or @) into r->name: the index after
 * it, or 0 when the line is ignored (warned). */
static size_t value_name(struct dcs_reg_reader *r, const uint8_t *p, size_t start, size_t n)
{
    if (U(start) != '"') {
        if (!dcsi_reg_grow(r, &r->name, 1, 16)) /* '@' */
            return 0;
        r->name.p[0] = 0;
        r->name.len = 1;
        return start + 1;
    }
    const char *why = NULL;
    size_t units = 0, bad = 0;
    size_t j = dcsi_reg_unescape(r, p, start + 1, n, &units, &why, &bad);
    if (!j) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(bad), "invalid value name (%s): line ignored",
                 why);
        return 0;
    }
    if (units > MAX_NAME_UNITS) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(start),
                 "value name longer than 16383 characters: line ignored");
        return 0;
    }
    if (!dcsi_reg_grow(r, &r->name, 3 * units + 1, 3 * (size_t)MAX_NAME_UNITS + 1))
        return 0;
    size_t len = dcsi_utf16le_to_utf8(r->tmp.p, units, (char *)r->name.p);
    r->name.p[len] = 0;
    r->name.len = len + 1;
    return j;
}

/* hex(N): data at p[j..e), j just after "hex(". */
static void hex_n_value(struct dcs_reg_reader *r, const uint8_t *p, size_t j, size_t e)
{
    size_t k = j, s = k;
    uint64_t t = 0;
    while (k < e && is_hex(U(k))) {
        t = t << 4 | hexv[U(k)];
        if (t > 0xFFFFFFFFull)
            t = 0x100000000ull;
        k++;
    }
    if (k == s || t > 0xFFFFFFFFull || !starts(p, k, e, "):")) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(k),
                 "invalid type in hex(N): (N is 0 to ffffffff in hex): value not set");
        return;
    }
    hex_value(r, p, k + 2, e, (uint32_t)t);
}

/* The data after '=' at p[j..e) (e: blanks trimmed; n: the whole line). */
static void value_data(struct dcs_reg_reader *r, const uint8_t *p, size_t j, size_t e, size_t n)
{
    unsigned u = U(j);
    if (u == '-') {
        size_t k = skip_ws(p, j + 1, e);
        if (k < e && U(k) != ';') {
            dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(k),
                     "text after '=-' (only a ';' comment may follow): value not deleted");
            return;
        }
        if (r->key_open)
            dcsi_reg_queue_value(r, DCS_REG_OP_DELETE_VALUE);
    } else if (u == '"') {
        /* the untrimmed line: a string left open keeps its trailing blanks */
        dcsi_reg_string_value(r, p, j, n);
    } else if (starts(p, j, e, "dword:")) {
        dword_value(r, p, j + 6, e);
    } else if (starts(p, j, e, "hex:")) {
        hex_value(r, p, j + 4, e, DCS_REG_BINARY);
    } else if (starts(p, j, e, "hex(")) {
        hex_n_value(r, p, j + 4, e);
    } else {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(j),
                 "unrecognised data (expected \"string\", dword:, hex:, hex(N): or -): "
                 "value not set");
    }
}

/* A value line: name at p[start], data after '='. */
static void value_line(struct dcs_reg_reader *r, const uint8_t *p, size_t start, size_t n)
{
    r->val_line = r->lineno;
    r->val_col = col(start);
    r->val_off = r->line_off + (uint64_t)start * r->us;
    r->val.len = 0;
    size_t j = value_name(r, p, start, n);
    if (!j)
        return;
    j = skip_ws(p, j, n);
    if (j >= n || U(j) != '=') {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(j), "expected '=' after the value name: line ignored");
        return;
    }
    j = skip_ws(p, j + 1, n);
    size_t e = n;
    while (e > j && is_ws(U(e - 1)))
        e--;
    if (!r->key_open)
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(start),
                 "value line outside any open key: value '%s' dropped", (const char *)r->name.p);
    if (j == e) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(j), "no data after '=': value not set");
        return;
    }
    value_data(r, p, j, e, n);
}

static void key_line(struct dcs_reg_reader *r, const uint8_t *p, size_t i, size_t n)
{
    size_t s = i + 1;
    if (s < n && is_ws(U(s))) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(s), "blank after '[': key line ignored");
        return;
    }
    size_t rb = n;
    while (rb > s && U(rb - 1) != ']')
        rb--;
    if (rb == s) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(n), "key line without ']': line ignored");
        return;
    }
    rb--; /* index of the last ']' */
    bool has_path = false;
    const char *why;
    r->key_open = false;
    if (s < rb && U(s) == '-') {
        s++;
        if (s < rb && (U(s) == 'H' || U(s) == 'h')) {
            why = parse_key(r, p, s, rb, &has_path);
            if (!why && has_path)
                dcsi_reg_queue(r, DCS_REG_OP_DELETE_KEY, col(i));
            else
                dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(s), "key deletion ignored: %s",
                         why ? why : "a whole root key cannot be deleted");
        } else {
            dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(s),
                     "key deletion ignored: '[-' must be followed by the root key name");
        }
        return;
    }
    why = parse_key(r, p, s, rb, &has_path);
    if (why) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(s), "key not opened, its values are dropped: %s",
                 why);
        return;
    }
    r->key_open = true;
    dcsi_reg_queue(r, DCS_REG_OP_CREATE_KEY, col(i));
}

static void body_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n)
{
    size_t i = skip_ws(p, 0, n);
    if (i == n)
        return;
    switch (U(i)) {
    case '[': key_line(r, p, i, n); break;
    case '@':
    case '"': value_line(r, p, i, n); break;
    case ';':
    case '#': break;
    default:
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(i),
                 "line ignored: it does not start with '[', '\"', '@', ';' or '#'");
    }
}

static void hexcont_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n)
{
    size_t i = skip_ws(p, 0, n);
    if (i == n || U(i) == ';')
        return;
    if (!is_hex(U(i))) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(i),
                 "hex continuation line expected: value '%s' dropped and this line ignored",
                 r->name.len ? (const char *)r->name.p : "");
        r->phase = PH_LINES;
        return;
    }
    size_t bad = 0;
    int res = parse_hex(r, p, i, n, &bad);
    if (res == HEX_BAD) {
        if (!r->fatal)
            bad_hex(r, bad);
    } else if (res == HEX_DONE) {
        r->phase = PH_LINES;
        finish_hex(r);
    } else if (r->phase == PH_STRCONT) {
        dcsi_reg_string_eof(r);
    }
}

static void win31_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n)
{
    if (!starts(p, 0, n, "HKEY_CLASSES_ROOT")) {
        size_t i = skip_ws(p, 0, n);
        if (i < n && U(i) != ';' && U(i) != '#')
            dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, col(0),
                     "line ignored: REGEDIT (Windows 3.1) lines start with HKEY_CLASSES_ROOT");
        return;
    }
    size_t ke = 0;
    while (ke < n && !is_ws(U(ke)) && U(ke) != 0x0B && U(ke) != 0x0C)
        ke++;
    size_t v = skip_ws(p, ke, n);
    if (v < n && U(v) == '=')
        v++;
    if (v < n && U(v) == ' ')
        v++;
    bool has_path;
    const char *why = parse_key(r, p, 0, ke, &has_path);
    r->key_open = false;
    if (why) {
        dcsi_reg_warn(r, DCS_ERR_REG_SYNTAX, 1, "key not opened: %s", why);
        return;
    }
    r->key_open = true;
    dcsi_reg_queue(r, DCS_REG_OP_CREATE_KEY, 1);
    size_t units = n - v;
    if (!dcsi_reg_grow(r, &r->val, 2 * units + 2, r->opt.max_value + 2))
        return;
    memcpy(r->val.p, p + 2 * v, 2 * units);
    r->val.p[2 * units] = r->val.p[2 * units + 1] = 0;
    r->val.len = 2 * units + 2;
    r->val_type = DCS_REG_SZ;
    if (!dcsi_reg_grow(r, &r->name, 1, 16))
        return;
    r->name.p[0] = 0;
    r->name.len = 1;
    r->val_line = r->lineno;
    r->val_col = col(v);
    r->val_off = r->line_off + (uint64_t)v * r->us;
    emit_value(r);
}

void dcsi_reg_parse_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n)
{
    switch (r->phase) {
    case PH_HEADER: parse_header(r, p, n); break;
    case PH_LINES: body_line(r, p, n); break;
    case PH_HEXCONT: hexcont_line(r, p, n); break;
    case PH_STRCONT:
        if (dcsi_reg_string_line(r, p, n))
            body_line(r, p, n);
        break;
    case PH_WIN31: win31_line(r, p, n); break;
    default: break;
    }
}

void dcsi_reg_parse_eof(struct dcs_reg_reader *r)
{
    if (r->phase == PH_START || r->phase == PH_HEADER) {
        dcsi_reg_fatal(r, DCS_ERR_REG_HEADER, 1, "not a registry script: the file is empty");
    } else if (r->phase == PH_HEXCONT) {
        /* FORMAT.md §6.7 item 6: end of file right after ",\" keeps the data read so far */
        r->phase = PH_LINES;
        finish_hex(r);
    } else if (r->phase == PH_STRCONT) {
        dcsi_reg_string_eof(r);
    }
}
