/* .reg side of dcs apply: interim, until the .reg reader/writer (branch reg)
 * is merged; every entry point reports that it is not available yet. */
#include "apply_source.h"
#include "backup_reg.h"
#include "cli.h"

int apply_source_from_reg(const char *path, const char *key, struct apply_source_data *d,
                          struct dcs_error *err)
{
    dcs_error_set(err, DCS_ERR_UNSUPPORTED, DCS_NO_OFFSET,
                  "--from-reg needs the .reg reader (not merged yet)");
    return EXIT_BAD_INPUT;
}

int apply_reg_out(struct apply_opts *o)
{
    cli_errorf("apply: --reg-out needs the .reg writer (not merged yet)");
    return EXIT_BAD_INPUT;
}

dcs_status backup_write_undo_reg(const struct apply_target *t, const char *path,
                                 struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_UNSUPPORTED, DCS_NO_OFFSET,
                         "undo .reg needs the .reg writer (not merged yet)");
}
