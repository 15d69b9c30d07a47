/*
 * The foundation's one form, and the model for every later one: a refused
 * form comes back with what the person typed and the error next to the
 * field; a successful post redirects (303) so a reload does not resend it.
 */
#include "web/contact.h"

#include <string.h>

#include "core/mem.h"
#include "domain/contact.h"
#include "domain/territory.h"
#include "web/guard.h"
#include "web/page.h"
#include "core/banned.h"

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *field;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, field, msg)
		json_object_set_new(out, field, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

static void render_form(struct request *req, struct response *res, int status, const char *name,
			const char *email, const char *message, json_t *errors)
{
	json_t *model = json_pack("{ss ss ss ss si si}", "name", name, "email", email, "message",
				  message, "csrf", page_csrf(req, res), "message_max", CONTACT_BODY_MAX,
				  "name_max", CONTACT_NAME_MAX);
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	const char *sent = params_get(&req->query, "sent");
	if (sent && !strcmp(sent, "1"))
		json_object_set_new(model, "sent", json_true());
	page_render(req, res, status, "contact", page_tr(req, "Contact the team"), model);
}

void contact_form(struct request *req, struct response *res)
{
	render_form(req, res, 200, "", "", "", NULL);
}

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

void contact_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTACT_SEND) < 0)
		return;
	const char *name = field(req, "name");
	const char *email = field(req, "email");
	const char *message = field(req, "message");
	json_t *errors = contact_validate(name, email, message);
	if (json_object_size(errors)) {
		render_form(req, res, 422, name, email, message, errors);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	int64_t id;
	if (contact_send(req->db, req->territory->id, name, email, message, &id) < 0) {
		page_error(req, res, 500);
		return;
	}
	response_redirect(res, req->arena, "/contact?sent=1");
}
