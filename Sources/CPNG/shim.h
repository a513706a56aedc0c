#ifndef SCENEFARM_CPNG_SHIM_H
#define SCENEFARM_CPNG_SHIM_H
#include <png.h>
#endif
