/* Data-driven .reg conformance cases (schema: tests/data/reg-cases/README.md).
 *
 * usage: test_reg_cases [DIR]   (default: $DCS_REG_CASES, else the project's
 * tests/data/reg-cases).  Every *.json in DIR becomes one cmocka test:
 *  - import cases: the file is read with the reader (whole, and again fed in
 *    1- and 3-byte chunks, which must give the same operations); the
 *    operations are applied to a small registry model and the expected exit
 *    code, values (type and stored bytes) and keys are checked;
 *  - export cases: the setup is built in the export model and written with
 *    the writer; the bytes must equal output_bytes_b64 exactly.
 * Exit status 77 (skipped) when DIR does not exist. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "reg_testlib.h"
#include <dcs/regread.h>
#include "reg/regtree.h"
#include <dcs/regwrite.h>
#include "core/text.h"

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The registry ignores trailing backslashes in key paths. */
static char *norm_key(const char *k)
{
    assert_non_null(k);
    size_t n = strlen(k);
    while (n && k[n - 1] == '\\')
        n--;
    char *s = malloc(n + 1);
    memcpy(s, k, n);
    s[n] = 0;
    return s;
}

static const char *value_name(const char *n)
{
    return strcmp(n, "(Default)") == 0 ? "" : n;
}

static void run_import(json_t *c)
{
    const char *b64 = jstr(c, "input_bytes_b64");
    assert_non_null(b64);
    size_t len;
    uint8_t *data = tl_base64(b64, &len);
    assert_non_null(data);
    json_t *expect = json_object_get(c, "expect");
    assert_non_null(expect);

    struct tl_ops ops, ops1, ops3;
    tl_parse(&ops, data, len, 0, NULL);
    tl_parse(&ops1, data, len, 1, NULL);
    tl_parse(&ops3, data, len, 3, NULL);
    assert_true(tl_ops_equal(&ops, &ops1));
    assert_true(tl_ops_equal(&ops, &ops3));

    int exit_code = ops.st == DCS_OK ? 0 : ops.st == DCS_ERR_REG_HEADER ? 1 : 99;
    json_t *ec = json_object_get(expect, "exit_code");
    if (json_is_integer(ec))
        assert_int_equal(exit_code, (int)json_integer_value(ec));
    else
        assert_int_equal(exit_code, 0); /* regedit cases: the file is accepted */
    if (exit_code == 1) {
        for (size_t i = 0; i < ops.n; i++)
            assert_int_equal(ops.v[i].kind, DCS_REG_OP_WARNING);
        assert_int_not_equal(ops.err.line, 0);
    }

    struct tl_model m = {0};
    json_t *keys = json_object_get(expect, "keys");
    size_t i;
    json_t *it;
    /* keys whose existence the case checks existed before when it has a setup */
    if (json_object_get(c, "setup"))
        json_array_foreach(keys, i, it)
        {
            char *k = norm_key(jstr(it, "key"));
            tl_model_create(&m, k);
            free(k);
        }
    tl_model_apply(&m, &ops);

    json_array_foreach(json_object_get(expect, "values"), i, it)
    {
        char *key = norm_key(jstr(it, "key"));
        const char *name = value_name(jstr(it, "name"));
        struct tl_val *v = tl_model_value(&m, key, name);
        free(key);
        if (!json_is_true(json_object_get(it, "present"))) {
            if (v)
                fail_msg("value '%s' should not exist", name);
            continue;
        }
        if (!v)
            fail_msg("value '%s' missing", name);
        assert_int_equal(v->type, (uint32_t)json_integer_value(json_object_get(it, "type_code")));
        const char *hex = jstr(it, "utf16le_hex_derived");
        if (!hex)
            hex = jstr(it, "data_hex");
        size_t want_len;
        uint8_t *want = tl_unhex(hex, &want_len);
        assert_non_null(want);
        if (v->len != want_len || memcmp(v->data, want, want_len) != 0)
            fail_msg("value '%s': %zu bytes, expected %zu", name, v->len, want_len);
        free(want);
    }
    json_array_foreach(keys, i, it)
    {
        bool exists = json_is_true(json_object_get(it, "exists"));
        char *key = norm_key(jstr(it, "key"));
        bool found = tl_model_key(&m, key) != NULL;
        free(key);
        if (found != exists)
            fail_msg("key %s: exists should be %d", jstr(it, "key"), exists);
    }
    tl_model_free(&m);
    tl_ops_free(&ops);
    tl_ops_free(&ops1);
    tl_ops_free(&ops3);
    free(data);
}

static uint32_t type_code(const char *t)
{
    static const char *const names[] = {"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY",
                                        "REG_DWORD"};
    for (uint32_t i = 0; i < 5; i++)
        if (strcmp(t, names[i]) == 0)
            return i;
    if (strcmp(t, "REG_MULTI_SZ") == 0)
        return 7;
    if (strcmp(t, "REG_QWORD") == 0)
        return 11;
    return (uint32_t)strtoul(t, NULL, 16);
}

/* The key a "reg.exe export KEY file /y" or "regedit /e file KEY" exports. */
static char *exported_key(const char *tool)
{
    const char *k = strstr(tool, "HKEY_");
    assert_non_null(k);
    size_t n = strcspn(k, " ");
    char *s = malloc(n + 1);
    memcpy(s, k, n);
    s[n] = 0;
    return s;
}

static void import_into_tree(struct regtree *t, const char *text)
{
    size_t n = strlen(text);
    uint8_t *buf = malloc(2 * n + 2);
    buf[0] = 0xFF;
    buf[1] = 0xFE;
    size_t units = dcsi_utf8_to_utf16le(text, n, buf + 2, NULL);
    assert_int_not_equal(units, SIZE_MAX);
    struct tl_ops ops;
    tl_parse(&ops, buf, 2 + 2 * units, 0, NULL);
    assert_int_equal(ops.st, DCS_OK);
    uint32_t node = 0;
    for (size_t i = 0; i < ops.n; i++) {
        struct tl_op *o = &ops.v[i];
        if (o->kind == DCS_REG_OP_CREATE_KEY)
            node = dcsi_rt_key(t, o->key, strlen(o->key), false);
        else if (o->kind == DCS_REG_OP_SET_VALUE)
            assert_true(dcsi_rt_set_value(t, node, o->name, strlen(o->name), o->type, o->data, o->len));
    }
    tl_ops_free(&ops);
    free(buf);
}

static void run_export(json_t *c)
{
    json_t *setup = json_object_get(c, "setup"), *expect = json_object_get(c, "expect");
    struct regtree t;
    dcsi_rt_init(&t);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(setup, "keys"), i, it)
    {
        const char *k = json_string_value(it);
        assert_non_null(dcsi_rt_key(&t, k, strlen(k), false));
    }
    json_array_foreach(json_object_get(setup, "values"), i, it)
    {
        const char *key = jstr(it, "key"), *name = value_name(jstr(it, "name"));
        uint32_t type = type_code(jstr(it, "type"));
        size_t len;
        uint8_t *ansi = tl_unhex(jstr(it, "ansi_data_hex"), &len);
        assert_non_null(ansi);
        uint8_t *data = ansi;
        if (type == 1 || type == 2 || type == 7) { /* RegSetValueExA widens text types */
            data = malloc(2 * len + 2);
            len = dcsi_cp1252_to_utf16le(ansi, len, data) * 2;
            free(ansi);
        }
        uint32_t node = dcsi_rt_key(&t, key, strlen(key), false);
        assert_true(dcsi_rt_set_value(&t, node, name, strlen(name), type, data, len));
        free(data);
    }
    if (jstr(setup, "imported_utf16_bom_file"))
        import_into_tree(&t, jstr(setup, "imported_utf16_bom_file"));
    char *key = exported_key(jstr(c, "tool"));
    assert_non_null(dcsi_rt_key(&t, key, strlen(key), true));
    free(key);

    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    assert_int_equal(dcs_reg_writer_new(NULL, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    uint64_t nk = 0, nv = 0;
    assert_int_equal(dcsi_rt_write_all(&t, w, &nk, &nv, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_OK);
    size_t want_len;
    uint8_t *want = tl_base64(jstr(expect, "output_bytes_b64"), &want_len);
    assert_non_null(want);
    if (mb.len != want_len || memcmp(mb.buf, want, want_len) != 0) {
        size_t k = 0;
        while (k < mb.len && k < want_len && mb.buf[k] == want[k])
            k++;
        fail_msg("export differs at byte %zu (got %zu bytes, expected %zu)", k, mb.len, want_len);
    }
    free(want);
    free(mb.buf);
    dcs_reg_writer_free(w);
    dcsi_rt_free(&t);
}

static void run_case(void **state)
{
    const char *path = *state;
    json_error_t jerr;
    json_t *c = json_load_file(path, 0, &jerr);
    if (!c)
        fail_msg("%s: %s", path, jerr.text);
    const char *kind = jstr(c, "kind");
    assert_non_null(kind);
    if (strcmp(kind, "import") == 0)
        run_import(c);
    else if (strcmp(kind, "export") == 0)
        run_export(c);
    else
        fail_msg("%s: unknown kind '%s'", path, kind);
    json_decref(c);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct CMUnitTest *)a)->name, ((const struct CMUnitTest *)b)->name);
}

int main(int argc, char **argv)
{
    char def[4096];
    const char *dir = argc > 1 ? argv[1] : getenv("DCS_REG_CASES");
    if (!dir) {
        const char *root = getenv("DCS_SOURCE_ROOT");
        snprintf(def, sizeof def, "%s/tests/data/reg-cases", root ? root : ".");
        dir = def;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: no such directory, skipped\n", dir);
        return 77;
    }
    struct CMUnitTest *tests = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
            continue;
        size_t plen = strlen(dir) + l + 2;
        char *path = malloc(plen);
        snprintf(path, plen, "%s/%s", dir, e->d_name);
        tests = realloc(tests, (n + 1) * sizeof *tests);
        tests[n] = (struct CMUnitTest){path + strlen(dir) + 1, run_case, NULL, NULL, path};
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "%s: no *.json cases\n", dir);
        return 1;
    }
    qsort(tests, n, sizeof *tests, by_name);
    int rc = _cmocka_run_group_tests("reg-cases", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(tests[i].initial_state);
    free(tests);
    return rc;
}
