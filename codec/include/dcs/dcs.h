/* dcs — umbrella header.  Each concern has its own header; include this one
 * to get them all. */
#ifndef DCS_H
#define DCS_H

#include <dcs/types.h>
#include <dcs/error.h>
#include <dcs/hex.h>
#include <dcs/blob.h>
#include <dcs/proxylist.h>
#include <dcs/regread.h>
#include <dcs/regwrite.h>
#include <dcs/regio.h>
#include <dcs/regconv.h>
#include <dcs/hive.h>
#include <dcs/apply.h>
#include <dcs/hive_reg.h>
#include <dcs/ship.h>
#include <dcs/wim.h>

#endif
