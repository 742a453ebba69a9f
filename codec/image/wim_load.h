/* wimlib, loaded on first use (dlopen) rather than linked: libwim brings
 * libxml2, ICU, libstdc++, ntfs-3g and FUSE with it, and every dcs command
 * paid for loading and relocating them at start-up although only --wim
 * uses them (see tools/bench/RESULTS.md, apply15c).  wimlib.h still gives
 * the types and constants at build time; the functions wim.c calls are
 * this table's pointers, under their own names (the macros below). */
#ifndef DCS_IMAGE_WIM_LOAD_H
#define DCS_IMAGE_WIM_LOAD_H

#include <wimlib.h>

#define DCSI_WIM_FUNCS(X)                                                                        \
    X(wimlib_global_init) X(wimlib_get_error_string) X(wimlib_open_wim) X(wimlib_free)             \
    X(wimlib_get_wim_info) X(wimlib_iterate_dir_tree) X(wimlib_extract_paths)                      \
    X(wimlib_update_image) X(wimlib_overwrite) X(wimlib_mount_image) X(wimlib_unmount_image)

struct dcsi_wimlib {
#define DCSI_WIM_PTR(name) __typeof__(name) *name;
    DCSI_WIM_FUNCS(DCSI_WIM_PTR)
#undef DCSI_WIM_PTR
};
extern struct dcsi_wimlib dcsi_wl;

/* Load the library and every function above, once: NULL, or why it could
 * not be loaded ("cannot load wimlib (libwim.so.15): ..."). */
const char *dcsi_wimlib_load(void);

#ifndef DCSI_WIM_LOAD_IMPL
#define wimlib_global_init (*dcsi_wl.wimlib_global_init)
#define wimlib_get_error_string (*dcsi_wl.wimlib_get_error_string)
#define wimlib_open_wim (*dcsi_wl.wimlib_open_wim)
#define wimlib_free (*dcsi_wl.wimlib_free)
#define wimlib_get_wim_info (*dcsi_wl.wimlib_get_wim_info)
#define wimlib_iterate_dir_tree (*dcsi_wl.wimlib_iterate_dir_tree)
#define wimlib_extract_paths (*dcsi_wl.wimlib_extract_paths)
#define wimlib_update_image (*dcsi_wl.wimlib_update_image)
#define wimlib_overwrite (*dcsi_wl.wimlib_overwrite)
#define wimlib_mount_image (*dcsi_wl.wimlib_mount_image)
#define wimlib_unmount_image (*dcsi_wl.wimlib_unmount_image)
#endif

#endif
