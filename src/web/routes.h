/*
 * The site's one route table (STYLE.md: tables, not branches).
 */
#ifndef WEB_ROUTES_H
#define WEB_ROUTES_H

#include <stddef.h>

#include "http/router.h"

extern const struct route web_routes[];
extern const size_t web_routes_count;

#endif
