/* apply_image — a program outside the dcs tree that uses libdcs as an
 * installed library: it gives LocalSystem (S-1-5-18) and LocalService
 * (S-1-5-19) of an offline Windows image the proxy settings of a user's
 * exported .reg, as `dcs apply --from-reg USER.reg --windows DIR --sid
 * S-1-5-18 --sid S-1-5-19` does, through the applier API (<dcs/apply.h>).
 *
 * Build it against an installed libdcs with nothing but pkg-config:
 *
 *   cc -std=c11 $(pkg-config --cflags dcs) apply_image.c $(pkg-config --libs dcs) -o apply_image
 *   ./apply_image /mnt/windows user.reg [BACKUP_DIR]
 *
 * It includes glibc's <error.h> beside <dcs/dcs.h> on purpose: dcs's headers
 * live in include/dcs/ and are included as <dcs/...>, so they do not hide
 * the system's.  tests/cli/test_install.sh builds and runs it and checks that
 * the hives it writes are byte-identical to those of `dcs apply`.
 *
 * With SOURCE_DATE_EPOCH set (seconds since 1970), the hives are stamped
 * with that time instead of the clock, so two runs write the same bytes.
 *
 * Exit status: 0 applied (or nothing to change), 1 failed (nothing changed),
 * 3 a hive is unsafe (dirty or damaged) and was refused. */
#include <error.h>
#include <stdio.h>
#include <stdlib.h>

#include <dcs/dcs.h>

/* Every warning of the library (dirty source hive, skipped .reg line ...). */
static void warn(void *ctx, const struct dcs_error *w)
{
    if (w->line)
        error(0, 0, "warning: %s:%u:%u: %s", (const char *)ctx, w->line, w->column, w->message);
    else
        error(0, 0, "warning: %s", w->message);
}

/* Print each target's outcome; the library's views are read-only. */
static void report(const dcs_applier *a)
{
    for (size_t i = 0; i < dcs_applier_count(a); i++) {
        const dcs_apply_target *t = dcs_applier_target(a, i);
        const struct dcs_apply_plan *p = dcs_apply_target_plan(t);
        printf("%s: %s\n", dcs_apply_target_label(t),
               p ? dcs_apply_action_name(p->action) : dcs_apply_target_error(t)->message);
        const char *undo = dcs_apply_target_backup(t, DCS_APPLY_BACKUP_UNDO);
        if (undo)
            printf("  undo with: %s\n", undo);
    }
}

static int run(dcs_applier *a, int argc, char **argv, struct dcs_error *err)
{
    static const char *const sids[] = {"S-1-5-18", "S-1-5-19"};
    dcs_applier_set_warn(a, warn, argv[2]);
    const char *epoch = getenv("SOURCE_DATE_EPOCH"); /* reproducible images */
    if (epoch)
        dcs_applier_set_time(a, dcs_filetime_from_unix(strtoull(epoch, NULL, 10)));
    if (dcs_applier_source_reg(a, argv[2], NULL, err) != DCS_OK ||
        dcs_applier_set_image(a, argv[1], err) != DCS_OK ||
        (argc > 3 && dcs_applier_set_backup_dir(a, argv[3], err) != DCS_OK))
        return 1;
    for (size_t i = 0; i < 2; i++)
        if (dcs_applier_add_account(a, sids[i], err) != DCS_OK)
            return 1;
    dcs_status st = dcs_applier_plan(a, err);
    if (st == DCS_OK)
        st = dcs_applier_commit(a, err);
    report(a);
    if (st == DCS_OK)
        return 0;
    return dcs_apply_status_unsafe(st) ? 3 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s WINDOWS_DIR USER.reg [BACKUP_DIR]\n", argv[0]);
        return 2;
    }
    dcs_applier *a;
    struct dcs_error err;
    dcs_error_clear(&err);
    if (dcs_applier_new(0, &a, &err) != DCS_OK)
        error(1, 0, "%s", err.message);
    int rc = run(a, argc, argv, &err);
    dcs_applier_free(a);
    if (rc != 0)
        error(0, 0, "%s", err.message);
    return rc;
}
