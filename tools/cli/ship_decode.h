/* `dcs decode FILE.xml` and `dcs decode FILE.cmd`: the values a Group Policy
 * Preferences Registry.xml or a batch file of `reg add` commands carries. */
#ifndef DCS_TOOLS_SHIP_DECODE_H
#define DCS_TOOLS_SHIP_DECODE_H

/* -1 when path is not a regular file holding a Registry.xml or a reg add
 * batch file (the caller goes on); else the exit code, the values printed:
 * per value "ROOT\KEY : NAME", then the blob's table (proxy blobs) or the
 * type and data; json: one array of objects with "key", "value", "type",
 * "data_hex" (the bytes carried, as the registry stores them) and, for a
 * proxy blob, the decode fields. */
int ship_decode_file(const char *path, int json, int compact, unsigned options);

#endif
