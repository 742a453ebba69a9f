/* Human-readable rendering of a blob model (decode, diff, show). */
#ifndef DCS_TOOLS_BLOBVIEW_H
#define DCS_TOOLS_BLOBVIEW_H

#include <stdio.h>

#include <dcs/dcs.h>

/* The field table, one "name  value" line per present field. */
void blobview_print(FILE *out, const struct dcs_blob *blob, size_t size);

/* One line saying what takes effect ("proxy 10.0.0.1:3128, bypass <local>"). */
void blobview_effective(FILE *out, const struct dcs_blob *blob);

/* A string field as a C-like quoted literal ("a\x01b"). */
void blobview_quote(FILE *out, dcs_bytes s);

/* Print the fields that differ between a and b as "name: A -> B" lines;
 * returns the number of differing fields, the counter not counted. */
int blobview_diff(FILE *out, const struct dcs_blob *a, const struct dcs_blob *b);

#endif
