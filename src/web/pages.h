/*
 * The pages of a territory a visitor reads: home, needs, initiatives,
 * partners and organisations, and the honest "coming soon" pages. Each
 * handler reads req->db and req->territory (set by web/app.c), checks its
 * query parameters (400 for anything else), and answers through page.h.
 */
#ifndef WEB_PAGES_H
#define WEB_PAGES_H

#include "http/request.h"

/* GET /: the welcome, the journey's figures, the latest needs and initiatives. (home.c) */
void home_show(struct request *req, struct response *res);

/* GET /needs?before=&without_idea=1: needs, newest first, 20 a page. (needs.c) */
void needs_index(struct request *req, struct response *res);
/* GET /needs/{id}: one need and the ideas answering it. (needs.c) */
void needs_show(struct request *req, struct response *res);

/* GET /initiatives?stage=&theme=&before=: ideas and projects, filtered, 20 a page. (initiatives.c) */
void initiatives_index(struct request *req, struct response *res);
/* GET /initiatives/{id}: one initiative, its stage on the journey, the needs it answers. (initiatives.c) */
void initiatives_show(struct request *req, struct response *res);

/* GET /partners: the partner organisations, by name. (organisations.c) */
void partners_index(struct request *req, struct response *res);
/* GET /organisations: the other organisations, those that carry initiatives. (organisations.c) */
void organisations_index(struct request *req, struct response *res);
/* GET /organisations/{slug}: one organisation and the initiatives it carries. (organisations.c) */
void organisations_show(struct request *req, struct response *res);

/* GET /map: says plainly that the map is coming. (misc.c) */
void map_coming(struct request *req, struct response *res);

#endif
