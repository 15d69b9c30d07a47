/*
 * Every URL of the site, its methods, handler, body limit and flags, in one
 * table: reading it tells what the server answers. Order matters only where
 * a literal segment and a {parameter} could both match ("/needs/new" comes
 * before "/needs/{id}").
 */
#include "web/routes.h"

#include "web/account.h"
#include "web/admin.h"
#include "web/app.h"
#include "web/comments.h"
#include "web/contact.h"
#include "web/events.h"
#include "web/history.h"
#include "web/journey.h"
#include "web/matching.h"
#include "web/offers.h"
#include "web/orgs.h"
#include "web/pages.h"
#include "web/post.h"
#include "web/privacy.h"
#include "web/profile.h"
#include "web/requests.h"
#include "web/search.h"
#include "web/funding.h"
#include "web/settings.h"
#include "web/suggestions.h"
#include "web/support.h"
#include "core/banned.h"

#define KB 1024

const struct route web_routes[] = {
	/*
	 * The journey (web/journey.c, web/events.c): stage moves and the timeline,
	 * the project's team, skills sought and needs, the outcome, events and
	 * their iCalendar files. 64 KB holds a move with an outcome's texts.
	 */
	{ HTTP_GET, "/initiatives/{id}/timeline", journey_timeline_page, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/initiatives/{id}/event.ics", events_initiative_ics, 0, 0 },
	{ HTTP_GET, "/events.ics", events_ics, 0, 0 },
	{ HTTP_POST, "/initiatives/{id}/move", journey_move_post, 64 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/request-project", journey_request_post, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/team/join", journey_join_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/team/{id}/accept", journey_team_accept, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/team/{id}/decline", journey_team_decline, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/skills", journey_skills_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/project-needs", journey_need_add_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/project-needs/{id}", journey_need_edit_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/outcome", journey_outcome_post, 64 * KB, ROUTE_FORM },

	/*
	 * Partners' offers and the ecosystem (web/offers.c). 256 KB holds a
	 * 10,000-character description of four-byte characters, percent-encoded.
	 */
	{ HTTP_GET, "/ecosystem", offers_ecosystem, 0, ROUTE_CACHE_ROLE },
	{ HTTP_GET, "/offers/{id}", offers_show, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/organisations/{slug}/offers/new", offers_new_form, 0, 0 },
	{ HTTP_POST, "/organisations/{slug}/offers/new", offers_new_post, 256 * KB, ROUTE_FORM },
	{ HTTP_GET, "/offers/{id}/edit", offers_edit_form, 0, 0 },
	{ HTTP_POST, "/offers/{id}/edit", offers_edit_post, 256 * KB, ROUTE_FORM },

	/* Matching offers and projects (web/matching.c): a partner's projects that fit an offer. */
	{ HTTP_GET, "/offers/{id}/projects", matching_offer_projects_page, 0, ROUTE_CACHE_PERSON },

	/*
	 * Support requests and funding (web/requests.c, web/funding.c): asking for
	 * an offer, answering, completing, withdrawing; the partner dashboard; the
	 * funding goal and crowdfunding campaign. 32 KB holds 2000 characters of
	 * four bytes, percent-encoded.
	 */
	{ HTTP_GET, "/offers/{id}/request", requests_new_form, 0, 0 },
	{ HTTP_POST, "/offers/{id}/request", requests_new_post, 32 * KB, ROUTE_FORM },
	{ HTTP_POST, "/requests/{id}/accept", requests_accept_post, 32 * KB, ROUTE_FORM },
	{ HTTP_POST, "/requests/{id}/decline", requests_decline_post, 32 * KB, ROUTE_FORM },
	{ HTTP_POST, "/requests/{id}/withdraw", requests_withdraw_post, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/requests/{id}/complete", requests_complete_post, 16 * KB, ROUTE_FORM },
	{ HTTP_GET, "/dashboard/partner", requests_dashboard_partner, 0, 0 },
	{ HTTP_POST, "/initiatives/{id}/funding", funding_goal_post, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/campaign", funding_campaign_post, 8 * KB, ROUTE_FORM },

	/* Infrastructure (web/app.c). */
	{ HTTP_GET, "/healthz", app_healthz, 0, ROUTE_NO_SESSION },
	{ HTTP_GET, "/static/{file}", app_static, 0, ROUTE_NO_SESSION },
	{ HTTP_GET, "/favicon.ico", app_favicon, 0, ROUTE_NO_SESSION },

	/* The contact form (web/contact.c): 64 KB is far above its 5000 characters. */
	{ HTTP_GET, "/contact", contact_form, 0, 0 },
	{ HTTP_POST, "/contact", contact_post, 64 * KB, ROUTE_FORM },

	/*
	 * Administration and organisations people run (web/admin.c, web/orgs.c).
	 * Before the pages: "/organisations/new" must win over "/organisations/{slug}".
	 * 256 KB holds a 20,000-character description, percent-encoded.
	 */
	{ HTTP_GET, "/admin", admin_home, 0, 0 },
	{ HTTP_GET, "/admin/people", admin_people, 0, 0 },
	{ HTTP_POST, "/admin/roles", admin_roles_post, 16 * KB, ROUTE_FORM },
	{ HTTP_GET, "/admin/partners", admin_partners, 0, 0 },
	{ HTTP_POST, "/admin/partners/{slug}/accredit", admin_partner_accredit, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/admin/partners/{slug}/revoke", admin_partner_revoke, 4 * KB, ROUTE_FORM },
	{ HTTP_GET, "/organisations/new", orgs_new_form, 0, 0 },
	{ HTTP_POST, "/organisations/new", orgs_new_post, 256 * KB, ROUTE_FORM },
	{ HTTP_GET, "/organisations/{slug}/edit", orgs_edit_form, 0, 0 },
	{ HTTP_POST, "/organisations/{slug}/edit", orgs_edit_post, 256 * KB, ROUTE_FORM },
	{ HTTP_POST, "/organisations/{slug}/members", orgs_members_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/organisations/{slug}/members/{user_id}/remove", orgs_member_remove, 4 * KB,
	  ROUTE_FORM },

	/*
	 * Accounts (web/account.c, web/settings.c): sign-up, confirmation, log-in and
	 * out, forgotten password, terms, settings. 16 KB is far above their fields
	 * (a password is at most 256 characters).
	 */
	{ HTTP_GET, "/signup", account_signup_form, 0, 0 },
	{ HTTP_POST, "/signup", account_signup_post, 16 * KB, ROUTE_FORM },
	{ HTTP_GET, "/confirm", account_confirm, 0, 0 },
	{ HTTP_GET, "/confirm/resend", account_confirm_resend_form, 0, 0 },
	{ HTTP_POST, "/confirm/resend", account_confirm_resend_post, 4 * KB, ROUTE_FORM },
	{ HTTP_GET, "/login", account_login_form, 0, 0 },
	{ HTTP_POST, "/login", account_login_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/logout", account_logout, 4 * KB, ROUTE_FORM },
	{ HTTP_GET, "/password/forgot", account_forgot_form, 0, 0 },
	{ HTTP_POST, "/password/forgot", account_forgot_post, 4 * KB, ROUTE_FORM },
	{ HTTP_GET, "/password/reset", account_reset_form, 0, 0 },
	{ HTTP_POST, "/password/reset", account_reset_post, 16 * KB, ROUTE_FORM },
	{ HTTP_GET, "/terms", account_terms_show, 0, 0 },
	{ HTTP_GET, "/terms/accept", account_terms_accept_form, 0, 0 },
	{ HTTP_POST, "/terms/accept", account_terms_accept_post, 4 * KB, ROUTE_FORM },
	{ HTTP_GET, "/settings", settings_show, 0, 0 },
	{ HTTP_POST, "/settings/preferences", settings_preferences_post, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/settings/password", settings_password_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/settings/email", settings_email_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/settings/sessions/logout-others", settings_logout_others_post, 4 * KB,
	  ROUTE_FORM },

	/*
	 * Posting and signals (web/post.c, web/support.c). Before the pages:
	 * "/needs/new" must win over "/needs/{id}". 256 KB holds a 10,000-character
	 * text, percent-encoded; signals carry only the csrf token.
	 */
	{ HTTP_GET, "/needs/new", post_need_form, 0, 0 },
	{ HTTP_POST, "/needs/new", post_need_submit, 256 * KB, ROUTE_FORM },
	{ HTTP_GET, "/initiatives/new", post_initiative_form, 0, 0 },
	{ HTTP_POST, "/initiatives/new", post_initiative_submit, 256 * KB, ROUTE_FORM },
	{ HTTP_POST, "/needs/{id}/metoo", support_need_metoo, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/needs/{id}/follow", support_need_follow, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/needs/{id}/unfollow", support_need_unfollow, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/support", support_initiative_give, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/unsupport", support_initiative_withdraw, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/follow", support_initiative_follow, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/unfollow", support_initiative_unfollow, 4 * KB, ROUTE_FORM },

	/*
	 * Threaded comments (web/comments.c). "/comments/new" before any
	 * "/comments/{id}" pattern. 96 KB holds 5000 characters of four bytes,
	 * percent-encoded.
	 */
	{ HTTP_GET, "/comments", comments_index, 0, ROUTE_CACHE_PERSON },
	{ HTTP_POST, "/comments", comments_post, 96 * KB, ROUTE_FORM },
	{ HTTP_GET, "/comments/new", comments_new_form, 0, 0 },
	{ HTTP_GET, "/comments/{id}/edit", comments_edit_form, 0, 0 },
	{ HTTP_POST, "/comments/{id}/edit", comments_edit_post, 96 * KB, ROUTE_FORM },

	/*
	 * Improving ideas together (web/history.c, web/suggestions.c): edits,
	 * versions and diffs, suggestions, co-authors. 320 KB holds a 20,000-
	 * character text of four-byte characters, percent-encoded, with its title.
	 */
	{ HTTP_GET, "/initiatives/{id}/edit", history_edit_form, 0, 0 },
	{ HTTP_POST, "/initiatives/{id}/edit", history_edit_post, 320 * KB, ROUTE_FORM },
	{ HTTP_GET, "/initiatives/{id}/history", history_index, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/initiatives/{id}/history/diff", history_diff, 0, ROUTE_CACHE_PERSON },
	{ HTTP_POST, "/initiatives/{id}/suggestions", suggestions_post, 320 * KB, ROUTE_FORM },
	{ HTTP_POST, "/suggestions/{id}/accept", suggestions_accept_post, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/suggestions/{id}/decline", suggestions_decline_post, 16 * KB, ROUTE_FORM },
	{ HTTP_POST, "/initiatives/{id}/coauthors", coauthors_post, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/coauthors/{id}/accept", coauthors_accept_post, 4 * KB, ROUTE_FORM },
	{ HTTP_POST, "/coauthors/{id}/decline", coauthors_decline_post, 4 * KB, ROUTE_FORM },

	/* Pages of the territory: their handlers are declared in web/pages.h. */
	{ HTTP_GET, "/", home_show, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/needs", needs_index, 0, ROUTE_CACHE_ROLE },
	{ HTTP_GET, "/needs/{id}", needs_show, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/initiatives", initiatives_index, 0, ROUTE_CACHE_ROLE },
	{ HTTP_GET, "/initiatives/{id}", initiatives_show, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/partners", partners_index, 0, ROUTE_CACHE_ROLE },
	{ HTTP_GET, "/organisations", organisations_index, 0, ROUTE_CACHE_ROLE },
	{ HTTP_GET, "/organisations/{slug}", organisations_show, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/events", events_index, 0, ROUTE_CACHE_ROLE },
	{ HTTP_GET, "/map", map_coming, 0, 0 },

	/* Search (web/search.c): the header's box sends here; GET only. */
	{ HTTP_GET, "/search", search_page, 0, ROUTE_CACHE_ROLE },

	/* Profiles and RGPD rights (web/profile.c, web/privacy.c). */
	{ HTTP_GET, "/profile", profile_page, 0, 0 },
	{ HTTP_POST, "/profile", profile_post, 64 * KB, ROUTE_FORM },
	{ HTTP_GET, "/people/{id}", people_show, 0, ROUTE_CACHE_PERSON },
	{ HTTP_GET, "/account", privacy_account_page, 0, 0 },
	{ HTTP_GET, "/account/data", privacy_data, 0, 0 },
	{ HTTP_GET, "/account/delete", privacy_delete_page, 0, 0 },
	{ HTTP_POST, "/account/delete", privacy_delete_post, 16 * KB, ROUTE_FORM },
	{ HTTP_GET, "/account/deleted", privacy_deleted_page, 0, 0 },
};

const size_t web_routes_count = sizeof(web_routes) / sizeof(web_routes[0]);
