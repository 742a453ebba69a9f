/* dcs — umbrella header.  Each concern has its own header; include this one
 * to get them all. */
#ifndef DCS_H
#define DCS_H

#include "error.h"
#include "hex.h"
#include "blob.h"
#include "proxylist.h"
#include "regread.h"
#include "regwrite.h"
#include "regio.h"
#include "regconv.h"
#include "hive.h"
#include "apply.h"
#include "hive_reg.h"

#endif
