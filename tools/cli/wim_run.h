/* dcs apply/show --wim: a Windows image inside a WIM or ESD file, through
 * the library's wimlib wrapper (dcs/wim.h). */
#ifndef DCS_TOOLS_WIM_RUN_H
#define DCS_TOOLS_WIM_RUN_H

#include <stdbool.h>
#include <stddef.h>

/* A new empty temporary folder (dir, size >= 64); false with a message. */
bool wim_tmp_make(const char *cmd, char *dir, size_t size);
/* Remove the folder and everything in it. */
void wim_tmp_remove(const char *dir);
/* Extract the hives of spec ("FILE[:INDEX]") into a new temporary folder,
 * read-only.  Returns an exit code; on EXIT_OK the caller removes dir. */
int wim_extract_to_tmp(const char *cmd, const char *spec, char *dir, size_t size);

#endif
