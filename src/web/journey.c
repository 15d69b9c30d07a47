/*
 * The journey's pages and forms. Who sees a button and who may post are
 * decided by the same two calls: journey_who() says what the person is to
 * the initiative, journey_may_move() / journey_may_manage() what that
 * allows. The server checks again on every post, whatever the page showed.
 */
#include "web/journey.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/permission.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "domain/initiative.h"
#include "domain/journey.h"
#include "domain/organisation.h"
#include "domain/outcome.h"
#include "domain/profile.h"
#include "domain/project_need.h"
#include "domain/team.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

#define TIMELINE_SHORT 5

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

static const char *stage_label(const struct request *req, const char *code)
{
	const struct initiative_stage *s = initiative_stage_find(code);
	return s ? page_tr(req, s->label) : "";
}

static int is_animator(const struct request *req)
{
	return req->user && permission_allows((enum role)req->role, ACT_MODERATE);
}

static int64_t user_id(const struct request *req)
{
	return req->user ? req->user->id : 0;
}

static const char *initiative_path(struct request *req, int64_t id, const char *fragment)
{
	return page_link(req, arena_printf(req->arena, "/initiatives/%lld%s", (long long)id,
					   fragment ? fragment : ""));
}

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *key;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, key, msg)
		json_object_set_new(out, key, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

static json_t *options(const struct request *req, const char *const *codes, const char *const *labels,
		       size_t n, const char *current)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", codes[i], "label",
						   page_tr(req, labels[i]), "selected",
						   current && !strcmp(current, codes[i])));
	return a;
}

/* ---- The timeline ------------------------------------------------------ */

/* What a step of a support request did, by the state it led to. */
static const char *support_step_label(const char *state)
{
	static const struct {
		const char *state, *label;
	} labels[] = {
		{ "pending", "asked a partner for support" },
		{ "accepted", "accepted the support request" },
		{ "declined", "declined the support request" },
		{ "withdrawn", "withdrew the support request" },
		{ "completed", "recorded the support given" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (!strcmp(labels[i].state, state))
			return labels[i].label;
	return "updated a support request";
}

static void timeline_labels(struct request *req, json_t *items)
{
	size_t i;
	json_t *e;
	json_array_foreach(items, i, e) {
		const char *verb = json_string_value(json_object_get(e, "verb"));
		const char *from = json_string_value(json_object_get(e, "from"));
		const char *to = json_string_value(json_object_get(e, "to"));
		json_object_set_new(e, "is_create", json_boolean(!strcmp(verb, "Create")));
		json_object_set_new(e, "is_move", json_boolean(!strcmp(verb, "Move")));
		const char *support = json_string_value(json_object_get(e, "support"));
		json_object_set_new(e, "is_offer",
				    json_boolean(!support && !strcmp(verb, "Offer")));
		if (support)
			json_object_set_new(e, "support_label",
					    json_string(page_tr(req, support_step_label(support))));
		if (from)
			json_object_set_new(e, "from_label", json_string(stage_label(req, from)));
		if (to)
			json_object_set_new(e, "to_label", json_string(stage_label(req, to)));
		listing_date(req, e, "date", json_integer_value(json_object_get(e, "at")));
		json_t *actor = json_object_get(e, "actor");
		if (json_is_true(json_object_get(actor, "deleted")))
			json_object_set_new(actor, "name",
					    json_string(page_tr(req, json_string_value(json_object_get(actor, "name")))));
		else
			listing_href(req, actor, "/people/");
	}
}

void journey_timeline_page(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	json_t *in = NULL, *items = NULL;
	int rc = id < 0 ? 1 : initiative_get(req->db, req->territory->id, id, &in);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	if (!listing_query_allowed(req, NULL, 0) ||
	    journey_timeline(req->db, req->territory->id, id, 500, &items)) {
		json_decref(in);
		page_error(req, res, listing_query_allowed(req, NULL, 0) ? 500 : 400);
		return;
	}
	timeline_labels(req, items);
	const char *title = arena_printf(req->arena, "%s — %s", page_tr(req, "Timeline"),
					 json_string_value(json_object_get(in, "title")));
	json_t *model = json_pack("{s:O, s:o, s:s}", "initiative", json_object_get(in, "title"),
				  "timeline", items, "back_href", initiative_path(req, id, "#journey"));
	json_decref(in);
	page_render(req, res, 200, "journey/timeline", title, model);
}

/* ---- The move form ------------------------------------------------------ */

/* What a move form shows and keeps: the values typed (NULL on first display). */
struct move_typed {
	const char *to, *note, *carrier, *merged_into;
	struct outcome_form outcome;
};

static json_t *outcome_fields_model(const struct request *req, const struct outcome_form *o)
{
	static const char *const codes[] = { "enterprise", "event", "service" };
	static const char *const labels[] = { "Enterprise", "Event", "Service" };
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind_options",
			 options(req, codes, labels, 3, o->kind), "legal_form",
			 o->legal_form ? o->legal_form : "", "founded_on",
			 o->founded_on ? o->founded_on : "", "starts_at", o->starts_at ? o->starts_at : "",
			 "ends_at", o->ends_at ? o->ends_at : "", "place", o->place ? o->place : "",
			 "description", o->description ? o->description : "", "impact",
			 o->impact ? o->impact : "");
}

/* The author and their organisations, as carrier choices. */
static int carrier_options(struct request *req, int64_t author_id, const char *current,
			   json_t **out)
{
	json_t *a = json_array();
	*out = a;
	if (!author_id)
		return 0;
	struct user *author;
	if (user_get(req->db, req->arena, author_id, &author) == 0)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", "person", "label",
						   author->display_name, "selected",
						   !current || !*current || !strcmp(current, "person")));
	json_t *orgs;
	if (organisation_list_for_user(req->db, req->territory->id, author_id, &orgs))
		return -1;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *value = arena_printf(req->arena, "org:%lld",
						 (long long)json_integer_value(json_object_get(o, "id")));
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", value, "label",
						   json_string_value(json_object_get(o, "name")),
						   "selected", current && !strcmp(current, value)));
	}
	json_decref(orgs);
	return 0;
}

/* The move form for this person, or NULL when they may make no move. */
static json_t *move_form(struct request *req, struct response *res, int64_t id, const char *stage,
			 int64_t author_id, unsigned who, const struct move_typed *t)
{
	json_t *to = json_array();
	int project = 0, realised = 0, merged = 0;
	for (size_t i = 0; i < initiative_stage_count; i++) {
		const char *code = initiative_stages[i].code;
		if (!strcmp(code, stage) || !journey_may_move(stage, code, who))
			continue;
		project |= !strcmp(code, "project");
		realised |= !strcmp(code, "realised");
		merged |= !strcmp(code, "merged");
		json_array_append_new(to, json_pack("{s:s, s:s, s:b}", "value", code, "label",
						    page_tr(req, initiative_stages[i].label), "selected",
						    t->to && !strcmp(t->to, code)));
	}
	if (!json_array_size(to)) {
		json_decref(to);
		return NULL;
	}
	json_t *f = json_pack("{s:s, s:s, s:s, s:o, s:s, s:i, s:s}", "action",
			      arena_printf(req->arena, "/initiatives/%lld/move", (long long)id), "from",
			      stage, "from_label", stage_label(req, stage), "to_options", to, "note",
			      t->note ? t->note : "", "note_max", JOURNEY_NOTE_MAX, "csrf",
			      page_csrf(req, res));
	if (project) {
		json_t *carriers;
		if (carrier_options(req, author_id, t->carrier, &carriers) == 0) {
			json_object_set_new(f, "has_carriers", json_boolean(json_array_size(carriers) > 0));
			json_object_set_new(f, "carrier_options", carriers);
		} else
			json_decref(carriers);
	}
	if (realised)
		json_object_set_new(f, "outcome", outcome_fields_model(req, &t->outcome));
	if (merged)
		json_object_set_new(f, "merge",
				    json_pack("{s:s}", "merged_into", t->merged_into ? t->merged_into : ""));
	return f;
}

/* ---- The journey part ------------------------------------------------------ */

static void need_labels(struct request *req, json_t *needs, int manage, int64_t id)
{
	size_t i;
	json_t *n;
	(void)id;
	json_array_foreach(needs, i, n) {
		const struct project_need_kind *k =
			project_need_kind_find(json_string_value(json_object_get(n, "kind")));
		json_object_set_new(n, "kind_label", json_string(k ? page_tr(req, k->label) : ""));
		int met = !strcmp(json_string_value(json_object_get(n, "state")), "met");
		json_object_set_new(n, "met", json_boolean(met));
		json_object_set_new(n, "state_label",
				    json_string(page_tr(req, met ? "met" : "open")));
		if (manage) {
			json_object_set_new(n, "edit_action",
					    json_string(arena_printf(req->arena, "/project-needs/%lld",
								     (long long)json_integer_value(json_object_get(n, "id")))));
			json_object_set_new(n, "toggle_state", json_string(met ? "open" : "met"));
		}
	}
}

static json_t *need_form_model(struct request *req, int64_t id, const struct project_need_form *t)
{
	const char *codes[16], *labels[16];
	for (size_t i = 0; i < project_need_kind_count && i < 16; i++) {
		codes[i] = project_need_kinds[i].code;
		labels[i] = project_need_kinds[i].label;
	}
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:i}", "action",
			 arena_printf(req->arena, "/initiatives/%lld/project-needs", (long long)id),
			 "kind_options", options(req, codes, labels, project_need_kind_count, t->kind),
			 "description", t->description ? t->description : "", "amount",
			 t->amount ? t->amount : "", "surface", t->surface ? t->surface : "", "duration",
			 t->duration ? t->duration : "", "description_max", PROJECT_NEED_DESCRIPTION_MAX);
}

static int is_project_stage(const char *stage)
{
	return !strcmp(stage, "project") || !strcmp(stage, "supported") || !strcmp(stage, "realised");
}

static void outcome_labels(struct request *req, json_t *o, int64_t id)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));
	json_object_set_new(o, "kind_label", json_string(page_tr(req, initiative_outcome_label(kind))));
	json_object_set_new(o, "is_enterprise", json_boolean(!strcmp(kind, "enterprise")));
	json_object_set_new(o, "is_event", json_boolean(!strcmp(kind, "event")));
	json_object_set_new(o, "is_service", json_boolean(!strcmp(kind, "service")));
	char s[32];
	json_t *start = json_object_get(o, "starts_at"), *end = json_object_get(o, "ends_at");
	if (json_is_integer(start)) {
		outcome_paris_format(json_integer_value(start), s);
		json_object_set_new(o, "starts_local", json_string(s));
		json_object_set_new(o, "starts_text",
				    json_string(arena_printf(req->arena, "%.10s %s %.5s", s,
							     page_tr(req, "at"), s + 11)));
		json_object_set_new(o, "ics_href",
				    json_string(arena_printf(req->arena, "/initiatives/%lld/event.ics",
							     (long long)id)));
	}
	if (json_is_integer(end)) {
		outcome_paris_format(json_integer_value(end), s);
		json_object_set_new(o, "ends_local", json_string(s));
		json_object_set_new(o, "ends_text",
				    json_string(arena_printf(req->arena, "%.10s %s %.5s", s,
							     page_tr(req, "at"), s + 11)));
	}
}

/* The outcome form's typed values from a saved outcome (to correct it). */
static struct outcome_form outcome_form_of(const json_t *o)
{
	struct outcome_form f = { 0 };
	if (!o)
		return f;
	f.kind = json_string_value(json_object_get(o, "kind"));
	f.legal_form = json_string_value(json_object_get(o, "legal_form"));
	f.founded_on = json_string_value(json_object_get(o, "founded_on"));
	f.starts_at = json_string_value(json_object_get(o, "starts_local"));
	f.ends_at = json_string_value(json_object_get(o, "ends_local"));
	f.place = json_string_value(json_object_get(o, "place"));
	f.description = json_string_value(json_object_get(o, "description"));
	f.impact = json_string_value(json_object_get(o, "impact"));
	return f;
}

static int part_outcome(struct request *req, struct response *res, int64_t id, int manage,
			json_t *part)
{
	json_t *o;
	int rc = outcome_get(req->db, req->territory->id, id, &o);
	if (rc)
		return rc < 0 ? -1 : 0;
	outcome_labels(req, o, id);
	if (manage) {
		struct outcome_form f = outcome_form_of(o);
		json_t *form = json_pack("{s:s, s:s, s:o}", "action",
					 arena_printf(req->arena, "/initiatives/%lld/outcome", (long long)id),
					 "csrf", page_csrf(req, res), "outcome", outcome_fields_model(req, &f));
		json_object_set_new(part, "outcome_form", form);
	}
	json_object_set_new(part, "outcome", o);
	return 0;
}

static void part_carrier(struct request *req, json_t *state, json_t *part)
{
	json_t *org = json_object_get(state, "carrier_org");
	json_t *person = json_object_get(state, "carrier_user");
	if (json_is_object(org)) {
		const char *slug = json_string_value(json_object_get(org, "slug"));
		json_object_set_new(org, "href",
				    json_string(page_link(req, arena_printf(req->arena, "/organisations/%s", slug))));
		json_object_set(part, "carrier_org", org);
	} else if (json_is_object(person)) {
		listing_href(req, person, "/people/");
		json_object_set(part, "carrier_user", person);
	}
}

static void part_banners(struct request *req, json_t *state, const char *stage, json_t *part)
{
	json_t *merged = json_object_get(state, "merged_into");
	const char *note = json_string_value(json_object_get(state, "stage_note"));
	if (!strcmp(stage, "merged") && json_is_object(merged)) {
		listing_href(req, merged, "/initiatives/");
		json_object_set(part, "merged_into", merged);
	}
	if (!strcmp(stage, "archived") || !strcmp(stage, "merged"))
		json_object_set_new(part, "off_note", json_string(note ? note : ""));
	if (!strcmp(stage, "archived"))
		json_object_set_new(part, "archived", json_true());
}

static int part_needs(struct request *req, struct response *res, int64_t id, const char *stage,
		      int manage, json_t *part)
{
	if (!is_project_stage(stage))
		return 0;
	json_t *needs;
	if (project_need_list(req->db, id, &needs))
		return -1;
	need_labels(req, needs, manage, id);
	json_object_set_new(part, "project_needs", needs);
	json_object_set_new(part, "has_project_needs", json_boolean(json_array_size(needs) > 0));
	json_object_set_new(part, "show_needs", json_true());
	if (manage) {
		struct project_need_form empty = { 0 };
		json_t *f = need_form_model(req, id, &empty);
		json_object_set_new(f, "csrf", json_string(page_csrf(req, res)));
		json_object_set_new(part, "need_form", f);
	}
	return 0;
}

static int part_moves(struct request *req, struct response *res, int64_t id, json_t *state,
		      const char *stage, unsigned who, json_t *part)
{
	int64_t author_id = json_integer_value(json_object_get(state, "author_id"));
	struct move_typed t = { 0 };
	json_t *f = move_form(req, res, id, stage, author_id, who, &t);
	if (f)
		json_object_set_new(part, "move_form", f);
	int requested = json_is_integer(json_object_get(state, "project_requested_at"));
	int early = !strcmp(stage, "idea") || !strcmp(stage, "improving");
	if (requested && early)
		json_object_set_new(part, "project_requested", json_true());
	if ((who & JOURNEY_AUTHOR) && early && !requested)
		json_object_set_new(part, "request_form",
				    json_pack("{s:s, s:s}", "action",
					      arena_printf(req->arena, "/initiatives/%lld/request-project",
							   (long long)id),
					      "csrf", page_csrf(req, res)));
	json_t *timeline;
	if (journey_timeline(req->db, req->territory->id, id, TIMELINE_SHORT, &timeline))
		return -1;
	timeline_labels(req, timeline);
	json_object_set_new(part, "timeline", timeline);
	json_object_set_new(part, "timeline_href",
			    json_string(page_link(req, arena_printf(req->arena, "/initiatives/%lld/timeline",
								    (long long)id))));
	return 0;
}

int journey_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		 json_t *object, json_t *model)
{
	(void)object;
	if (strcmp(object_type, "initiative"))
		return 0;
	json_t *state;
	unsigned who = 0;
	int rc = journey_state(req->db, req->territory->id, id, &state);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (journey_who(req->db, req->territory->id, id, user_id(req), is_animator(req), &who) < 0) {
		json_decref(state);
		return -1;
	}
	const char *stage = arena_strdup(req->arena, json_string_value(json_object_get(state, "stage")));
	int manage = journey_may_manage(who);
	json_t *part = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "stage", stage, "stage_label",
				 stage_label(req, stage));
	part_carrier(req, state, part);
	part_banners(req, state, stage, part);
	rc = part_moves(req, res, id, state, stage, who, part);
	if (!rc)
		rc = part_needs(req, res, id, stage, manage, part);
	if (!rc && !strcmp(stage, "realised"))
		rc = part_outcome(req, res, id, manage, part);
	json_decref(state);
	if (rc) {
		json_decref(part);
		return -1;
	}
	json_object_set_new(model, "journey_part", part);
	return 0;
}

/* ---- The team part ------------------------------------------------------ */

static void team_labels(struct request *req, json_t *team, int manage, json_t *part)
{
	json_t *members = json_array(), *pending = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(team, i, m) {
		json_t *person = json_object_get(m, "person");
		if (json_is_true(json_object_get(person, "deleted")))
			json_object_set_new(person, "name",
					    json_string(page_tr(req, json_string_value(json_object_get(person, "name")))));
		else
			listing_href(req, person, "/people/");
		int64_t mid = json_integer_value(json_object_get(m, "id"));
		if (!strcmp(json_string_value(json_object_get(m, "state")), "accepted")) {
			json_array_append(members, m);
		} else if (manage) {
			json_object_set_new(m, "accept_action",
					    json_string(arena_printf(req->arena, "/team/%lld/accept", (long long)mid)));
			json_object_set_new(m, "decline_action",
					    json_string(arena_printf(req->arena, "/team/%lld/decline", (long long)mid)));
			json_array_append(pending, m);
		}
	}
	json_object_set_new(part, "has_members", json_boolean(json_array_size(members) > 0));
	json_object_set_new(part, "members", members);
	json_object_set_new(part, "has_pending", json_boolean(json_array_size(pending) > 0));
	json_object_set_new(part, "pending", pending);
}

/* 1 if the person already offered to join (any state), from the team list. */
static int offered(const json_t *team, int64_t uid)
{
	size_t i;
	json_t *m;
	json_array_foreach(team, i, m)
		if (json_integer_value(json_object_get(json_object_get(m, "person"), "id")) == uid)
			return 1;
	return 0;
}

static char *skills_text(const json_t *skills)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(skills, i, v) {
		if (i)
			buf_adds(&b, ", ");
		buf_adds(&b, json_string_value(v));
	}
	return buf_detach(&b, NULL);
}

static json_t *join_form_model(struct request *req, struct response *res, int64_t id,
			       const char *skills, const char *message)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "action",
			 arena_printf(req->arena, "/initiatives/%lld/team/join", (long long)id), "csrf",
			 page_csrf(req, res), "skills", skills, "message", message, "skills_max",
			 TEAM_SKILLS_MAX, "message_max", TEAM_MESSAGE_MAX);
}

static json_t *skills_form_model(struct request *req, struct response *res, int64_t id,
				 const char *skills)
{
	return json_pack("{s:s, s:s, s:s}", "action",
			 arena_printf(req->arena, "/initiatives/%lld/skills", (long long)id), "csrf",
			 page_csrf(req, res), "skills", skills);
}

static int team_fill(struct request *req, struct response *res, int64_t id, const char *stage,
		     unsigned who, json_t *part)
{
	json_t *team, *skills;
	if (team_list(req->db, id, &team))
		return -1;
	if (team_skills(req->db, id, &skills)) {
		json_decref(team);
		return -1;
	}
	int manage = journey_may_manage(who);
	team_labels(req, team, manage, part);
	char *sought = skills_text(skills);
	json_object_set_new(part, "skills_sought", skills);
	json_object_set_new(part, "has_skills_sought", json_boolean(json_array_size(skills) > 0));
	if (manage)
		json_object_set_new(part, "skills_form", skills_form_model(req, res, id, sought));
	free(sought);
	int open = !strcmp(stage, "project") || !strcmp(stage, "supported");
	if (open && req->user && !offered(team, req->user->id) && !(who & JOURNEY_CARRIER))
		json_object_set_new(part, "join_form", join_form_model(req, res, id, "", ""));
	if (open && req->user && offered(team, req->user->id))
		json_object_set_new(part, "already_offered", json_true());
	if (open && !req->user)
		json_object_set_new(part, "login_href",
				    json_string(page_link(req, arena_printf(req->arena,
									    "/login?next=%%2Finitiatives%%2F%lld",
									    (long long)id))));
	json_decref(team);
	return 0;
}

int team_part(struct request *req, struct response *res, const char *object_type, int64_t id,
	      json_t *object, json_t *model)
{
	if (strcmp(object_type, "initiative"))
		return 0;
	const char *stage = json_string_value(json_object_get(object, "stage"));
	if (!stage || !is_project_stage(stage))
		return 0;
	unsigned who = 0;
	if (journey_who(req->db, req->territory->id, id, user_id(req), is_animator(req), &who) < 0)
		return -1;
	json_t *part = json_pack("{s:I}", "id", (json_int_t)id);
	if (team_fill(req, res, id, stage, who, part)) {
		json_decref(part);
		return -1;
	}
	json_object_set_new(model, "team_part", part);
	return 0;
}

json_t *journey_suggested_projects(struct request *req, int limit)
{
	json_t *items;
	if (!req->user || team_suggested_for_user(req->db, req->territory->id, req->user->id, limit, &items))
		return NULL;
	if (!json_array_size(items)) {
		json_decref(items);
		return NULL;
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		listing_href(req, it, "/initiatives/");
		char *s = skills_text(json_object_get(it, "skills"));
		json_object_set_new(it, "skills", json_string(s));
		free(s);
	}
	return items;
}

/* ---- Posts ------------------------------------------------------ */

/*
 * The common start of every post on initiative {id}: the permission table,
 * the initiative, and what the person is to it. 0, or -1 with the answer
 * already given.
 */
static int begin_post(struct request *req, struct response *res, int64_t id, unsigned *who)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return -1;
	int rc = id < 0 ? 1 : journey_who(req->db, req->territory->id, id, req->user->id,
					   is_animator(req), who);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return -1;
	}
	return 0;
}

/* A refused form, shown again on a page of its own. */
static void render_form(struct request *req, struct response *res, int status, int64_t id,
			const char *heading, const char *which, json_t *form, json_t *errors)
{
	json_t *model = json_pack("{s:s, s:s, s:o}", "heading", page_tr(req, heading), "back_href",
				  initiative_path(req, id, "#journey"), which, form);
	if (errors && json_object_size(errors)) {
		json_object_set_new(form, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	page_render(req, res, status, "journey/form", page_tr(req, heading), model);
}

static void render_message(struct request *req, struct response *res, int status, int64_t id,
			   const char *heading, const char *text)
{
	json_t *model = json_pack("{s:s, s:s, s:s}", "heading", page_tr(req, heading), "text",
				  page_tr(req, text), "back_href", initiative_path(req, id, "#journey"));
	page_render(req, res, status, "journey/message", page_tr(req, heading), model);
}

static void read_outcome_form(const struct request *req, struct outcome_form *o)
{
	o->kind = field(req, "outcome_kind");
	o->legal_form = field(req, "legal_form");
	o->founded_on = field(req, "founded_on");
	o->starts_at = field(req, "starts_at");
	o->ends_at = field(req, "ends_at");
	o->place = field(req, "place");
	o->description = field(req, "outcome_description");
	o->impact = field(req, "impact");
}

static int64_t parse_id(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	return *end || v <= 0 ? -1 : v;
}

/* Fill the carrier of m from the form ("person" or "org:ID"); 0 or -1 when unreadable. */
static int read_carrier(const char *value, struct journey_move *m)
{
	if (!*value || !strcmp(value, "person"))
		return 0;
	if (strncmp(value, "org:", 4))
		return -1;
	m->carrier_org_id = parse_id(value + 4);
	return m->carrier_org_id > 0 ? 0 : -1;
}

/* The problems of a move form that can be told before trying it. */
static json_t *move_errors(const struct request *req, const struct journey_move *m,
			   struct outcome_new *outcome, const struct outcome_form *of, int carrier_bad)
{
	json_t *err = json_object();
	const struct journey_transition *t = journey_transition_find(m->from, m->to);
	size_t len = strlen(m->note);
	if (!utf8_valid(m->note, len) || utf8_chars(m->note) > JOURNEY_NOTE_MAX)
		json_object_set_new(err, "note", json_string("The note has 500 characters at most."));
	else if (t && t->note_required && !len)
		json_object_set_new(err, "note", json_string("Say in a few words why it moves."));
	if (!strcmp(m->to, "merged") && m->merged_into <= 0)
		json_object_set_new(err, "merged_into",
				    json_string("Give the number of the initiative it joins."));
	if (!strcmp(m->to, "project") && carrier_bad)
		json_object_set_new(err, "carrier", json_string("Choose who carries the project."));
	if (!strcmp(m->to, "realised")) {
		json_t *oe = outcome_validate(of, outcome);
		json_object_update(err, oe);
		json_decref(oe);
	}
	(void)req;
	return err;
}

static void move_refused(struct request *req, struct response *res, int64_t id, const char *stage,
			 unsigned who, const struct move_typed *t, json_t *errors, int status)
{
	int64_t author_id = 0;
	json_t *state;
	if (journey_state(req->db, req->territory->id, id, &state) == 0) {
		author_id = json_integer_value(json_object_get(state, "author_id"));
		json_decref(state);
	}
	json_t *f = move_form(req, res, id, stage, author_id, who, t);
	if (!f) {
		page_error(req, res, 403);
		return;
	}
	render_form(req, res, status, id, "Move this initiative", "move_form", f, errors);
}

void journey_move_post(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	unsigned who;
	if (begin_post(req, res, id, &who))
		return;
	struct move_typed t = { .to = field(req, "to"), .note = field(req, "note"),
				.carrier = field(req, "carrier"), .merged_into = field(req, "merged_into") };
	read_outcome_form(req, &t.outcome);
	struct journey_move m = { .actor_id = req->user->id, .who = who, .from = field(req, "from"),
				  .to = t.to, .note = t.note };
	if (!journey_may_move(m.from, m.to, who)) {
		page_error(req, res, 403);
		return;
	}
	m.merged_into = parse_id(t.merged_into);
	int carrier_bad = read_carrier(t.carrier, &m) < 0;
	struct outcome_new outcome;
	json_t *errors = move_errors(req, &m, &outcome, &t.outcome, carrier_bad);
	if (json_object_size(errors)) {
		move_refused(req, res, id, m.from, who, &t, errors, 422);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	if (!strcmp(m.to, "realised"))
		m.outcome = &outcome;
	int rc = journey_move(req->db, req->territory->id, id, &m);
	if (rc == JOURNEY_OK) {
		response_redirect(res, req->arena, initiative_path(req, id, "#journey"));
	} else if (rc == JOURNEY_STALE) {
		render_message(req, res, 409, id, "This initiative has already moved",
			       "Someone moved this initiative while you were writing. Look at where it "
			       "stands now before moving it again.");
	} else if (rc == JOURNEY_INVALID) {
		json_t *e = json_object();
		json_object_set_new(e, !strcmp(m.to, "merged") ? "merged_into" : "carrier",
				    json_string(!strcmp(m.to, "merged")
							? "This initiative cannot be merged into that one."
							: "Choose who carries the project."));
		move_refused(req, res, id, m.from, who, &t, e, 422);
		json_decref(e);
	} else {
		page_error(req, res, rc == JOURNEY_REFUSED ? 403 : rc == JOURNEY_NOT_FOUND ? 404 : 500);
	}
}

void journey_request_post(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	unsigned who;
	if (begin_post(req, res, id, &who))
		return;
	int rc = journey_request_project(req->db, req->territory->id, id, req->user->id, who);
	if (rc == JOURNEY_OK)
		response_redirect(res, req->arena, initiative_path(req, id, "#journey"));
	else
		page_error(req, res, rc == JOURNEY_REFUSED ? 403 : 500);
}

/* ---- Team posts ------------------------------------------------------ */

void journey_join_post(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	unsigned who;
	if (begin_post(req, res, id, &who))
		return;
	const char *skills = field(req, "skills"), *message = field(req, "message");
	json_t *err = json_object();
	if (!utf8_valid(skills, strlen(skills)) || utf8_chars(skills) > TEAM_SKILLS_MAX)
		json_object_set_new(err, "skills", json_string("The skills you bring have 300 characters at most."));
	else if (!*skills)
		json_object_set_new(err, "skills", json_string("Say which skills you bring."));
	if (!utf8_valid(message, strlen(message)) || utf8_chars(message) > TEAM_MESSAGE_MAX)
		json_object_set_new(err, "message", json_string("The message has 1000 characters at most."));
	if (json_object_size(err)) {
		render_form(req, res, 422, id, "Join the team", "join_form",
			    join_form_model(req, res, id, skills, message), err);
		json_decref(err);
		return;
	}
	json_decref(err);
	int rc = team_offer(req->db, req->territory->id, id, req->user->id, skills, message);
	if (rc == 0 || rc == 1)
		response_redirect(res, req->arena, initiative_path(req, id, "#team"));
	else if (rc == 2)
		render_message(req, res, 409, id, "This initiative takes no team now",
			       "Only projects form a team. Look at where this initiative stands.");
	else
		page_error(req, res, 500);
}

static void team_decide_post(struct request *req, struct response *res, int accept)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	int64_t member_id = page_id_param(req, "id"), id = 0, uid = 0;
	unsigned who = 0;
	int rc = member_id < 0 ? 1 : team_offer_find(req->db, req->territory->id, member_id, &id, &uid);
	if (rc == 0)
		rc = journey_who(req->db, req->territory->id, id, req->user->id, is_animator(req), &who);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	if (!journey_may_manage(who)) {
		page_error(req, res, 403);
		return;
	}
	rc = team_decide(req->db, req->territory->id, member_id, req->user->id, accept);
	if (rc < 0)
		page_error(req, res, 500);
	else
		response_redirect(res, req->arena, initiative_path(req, id, "#team"));
}

void journey_team_accept(struct request *req, struct response *res)
{
	team_decide_post(req, res, 1);
}

void journey_team_decline(struct request *req, struct response *res)
{
	team_decide_post(req, res, 0);
}

void journey_skills_post(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	unsigned who;
	if (begin_post(req, res, id, &who))
		return;
	if (!journey_may_manage(who)) {
		page_error(req, res, 403);
		return;
	}
	const char *typed = field(req, "skills");
	json_t *skills = NULL;
	const char *problem = strlen(typed) > 4000 ? "You can list 20 skills at most."
						   : profile_skills_normalise(typed, &skills);
	if (problem) {
		json_t *err = json_pack("{s:s}", "skills", problem);
		render_form(req, res, 422, id, "Skills the project seeks", "skills_form",
			    skills_form_model(req, res, id, typed), err);
		json_decref(err);
		return;
	}
	int rc = team_skills_set(req->db, req->territory->id, id, req->user->id, skills);
	json_decref(skills);
	if (rc)
		page_error(req, res, 500);
	else
		response_redirect(res, req->arena, initiative_path(req, id, "#team"));
}

/* ---- Project needs ------------------------------------------------------ */

static void read_need_form(const struct request *req, struct project_need_form *f)
{
	f->kind = field(req, "kind");
	f->description = field(req, "description");
	f->amount = field(req, "amount");
	f->surface = field(req, "surface");
	f->duration = field(req, "duration");
	f->state = field(req, "state");
}

static int need_post_check(struct request *req, struct response *res, int64_t id,
			   const struct project_need_form *f, struct project_need_input *in,
			   const char *action)
{
	json_t *err = project_need_validate(f, in);
	if (!json_object_size(err)) {
		json_decref(err);
		return 0;
	}
	json_t *form = need_form_model(req, id, f);
	json_object_set_new(form, "csrf", json_string(page_csrf(req, res)));
	json_object_set_new(form, "action", json_string(action));
	render_form(req, res, 422, id, "What the project needs", "need_form", form, err);
	json_decref(err);
	return -1;
}

void journey_need_add_post(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	unsigned who;
	if (begin_post(req, res, id, &who))
		return;
	if (!journey_may_manage(who)) {
		page_error(req, res, 403);
		return;
	}
	struct project_need_form f;
	struct project_need_input in;
	read_need_form(req, &f);
	if (need_post_check(req, res, id, &f, &in,
			    arena_printf(req->arena, "/initiatives/%lld/project-needs", (long long)id)))
		return;
	int64_t need_id;
	int rc = project_need_add(req->db, req->territory->id, id, req->user->id, &in, &need_id);
	if (rc == 1)
		render_message(req, res, 422, id, "What the project needs",
			       "A project lists 50 needs at most.");
	else if (rc)
		page_error(req, res, 500);
	else
		response_redirect(res, req->arena, initiative_path(req, id, "#project-needs"));
}

void journey_need_edit_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	int64_t need_id = page_id_param(req, "id"), id = 0;
	unsigned who = 0;
	int rc = need_id < 0 ? 1 : project_need_find(req->db, req->territory->id, need_id, &id);
	if (rc == 0)
		rc = journey_who(req->db, req->territory->id, id, req->user->id, is_animator(req), &who);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	if (!journey_may_manage(who)) {
		page_error(req, res, 403);
		return;
	}
	struct project_need_form f;
	struct project_need_input in;
	read_need_form(req, &f);
	if (need_post_check(req, res, id, &f, &in,
			    arena_printf(req->arena, "/project-needs/%lld", (long long)need_id)))
		return;
	if (project_need_update(req->db, req->territory->id, need_id, req->user->id, &in))
		page_error(req, res, 500);
	else
		response_redirect(res, req->arena, initiative_path(req, id, "#project-needs"));
}

/* ---- Outcome ------------------------------------------------------ */

void journey_outcome_post(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	unsigned who;
	if (begin_post(req, res, id, &who))
		return;
	json_t *state;
	int rc = journey_state(req->db, req->territory->id, id, &state);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	int realised = !strcmp(json_string_value(json_object_get(state, "stage")), "realised");
	json_decref(state);
	if (!journey_may_manage(who) || !realised) {
		page_error(req, res, 403);
		return;
	}
	struct outcome_form f;
	struct outcome_new o;
	read_outcome_form(req, &f);
	json_t *err = outcome_validate(&f, &o);
	if (json_object_size(err)) {
		json_t *form = json_pack("{s:s, s:s, s:o}", "action",
					 arena_printf(req->arena, "/initiatives/%lld/outcome", (long long)id),
					 "csrf", page_csrf(req, res), "outcome", outcome_fields_model(req, &f));
		render_form(req, res, 422, id, "What it became", "outcome_form", form, err);
		json_decref(err);
		return;
	}
	json_decref(err);
	if (outcome_record(req->db, req->territory->id, id, req->user->id, &o))
		page_error(req, res, 500);
	else
		response_redirect(res, req->arena, initiative_path(req, id, "#outcome"));
}
