/*
 * The permission table: what each role may do for the actions whose rule
 * is settled, and the invariants every row must keep (names unique, the
 * table in enum order, roles nested: what a member may do an animator may,
 * what an animator may an admin may), so a new row cannot break them.
 */
#include "testutil.h"

#include "auth/permission.h"
#include "core/mem.h"

static const enum role all_roles[] = { ROLE_VISITOR, ROLE_UNCONFIRMED, ROLE_MEMBER, ROLE_ANIMATOR, ROLE_ADMIN };

/* Roles allowed, as a string of initials: v u m a A. */
static void expect(enum action action, const char *who)
{
	static const char initials[] = "vumaA";
	for (size_t i = 0; i < ARRAY_SIZE(all_roles); i++) {
		int want = strchr(who, initials[i]) != NULL;
		if (permission_allows(all_roles[i], action) != want)
			fail_msg("%s for %s: expected %d", action_name(action), role_name(all_roles[i]), want);
	}
}

static void test_settled_rules(void **state)
{
	(void)state;
	expect(ACT_CONTACT_SEND, "vumaA");
	expect(ACT_ACCOUNT_MANAGE, "umaA");
	expect(ACT_CONTRIBUTE, "maA");
	expect(ACT_ORGANISATION_CREATE, "maA");
	expect(ACT_MODERATE, "aA");
	expect(ACT_DASHBOARD, "aA");
	expect(ACT_ROLE_GRANT, "A");
	expect(ACT_PARTNER_ACCREDIT, "A");
	expect(ACT_TERRITORY_CONFIGURE, "A");
}

static void test_every_row(void **state)
{
	(void)state;
	for (int a = 0; a < ACT__COUNT; a++) {
		const char *name = action_name(a);
		assert_string_not_equal(name, "unknown");
		for (int b = a + 1; b < ACT__COUNT; b++)
			assert_string_not_equal(name, action_name(b));
		/* permission_allows() BUG()s on a table out of enum order. */
		int member = permission_allows(ROLE_MEMBER, a), animator = permission_allows(ROLE_ANIMATOR, a);
		if (permission_allows(ROLE_UNCONFIRMED, a) && !member)
			fail_msg("%s: unconfirmed may but member may not", name);
		if (member && !animator)
			fail_msg("%s: member may but animator may not", name);
		if (animator && !permission_allows(ROLE_ADMIN, a))
			fail_msg("%s: animator may but admin may not", name);
	}
}

static void test_out_of_range_is_refused(void **state)
{
	(void)state;
	assert_int_equal(permission_allows(ROLE_ADMIN, ACT__COUNT), 0);
	assert_int_equal(permission_allows(ROLE_ADMIN, (enum action)-1), 0);
	assert_int_equal(permission_allows((enum role)99, ACT_CONTACT_SEND), 0);
	assert_int_equal(permission_allows((enum role)-1, ACT_CONTACT_SEND), 0);
	assert_string_equal(action_name(ACT__COUNT), "unknown");
	assert_string_equal(role_name((enum role)99), "unknown");
}

static void test_role_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(all_roles); i++)
		assert_int_equal(role_from_name(role_name(all_roles[i])), (int)all_roles[i]);
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_int_equal(role_from_name("member"), ROLE_MEMBER);
	assert_int_equal(role_from_name("root"), -1);
	assert_int_equal(role_from_name(""), -1);
	assert_int_equal(role_from_name("Admin"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settled_rules),
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_out_of_range_is_refused),
		cmocka_unit_test(test_role_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
