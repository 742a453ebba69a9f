#include "blob.h"
typedef int dcs_blob_placeholder;
