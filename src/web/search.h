/*
 * The search page (GET /search?q=&kind=&after=): the territory's needs,
 * initiatives and comments that hold every word typed, with the words
 * marked in a snippet, by pages of keys. The header's search box of every
 * page sends here, without JavaScript.
 */
#ifndef WEB_SEARCH_H
#define WEB_SEARCH_H

#include "http/request.h"

void search_page(struct request *req, struct response *res);

#endif
