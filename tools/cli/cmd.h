/* One entry point per command; each lives in its own cmd_*.c file. */
#ifndef DCS_CMD_H
#define DCS_CMD_H

int cmd_decode(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_diff(int argc, char **argv);
/* -- reg room */
int cmd_reg(int argc, char **argv);
/* -- hive room */
int cmd_apply(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_reg_hive_import(int argc, char **argv);
int cmd_reg_hive_export(int argc, char **argv);
int cmd_hive(int argc, char **argv); /* cmd_hive_recover.c */
/* -- route room */
int cmd_route(int argc, char **argv);

#endif
