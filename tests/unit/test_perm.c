/* Unit tests for app/perm.c and Nano's menu table: what a role list grants, and who may use a
 * route that demands a capability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/perm.h"
#include "routes/dialects.h"
#include "routes/nano/nano.h"

#define BIT(c) (1u << (c))
#define VIEWS                                                                                      \
    (BIT(NB_CAP_VIEW_POOLS) | BIT(NB_CAP_VIEW_DISK_IMAGES) | BIT(NB_CAP_VIEW_MEDIA_IMAGES) |       \
     BIT(NB_CAP_VIEW_SECURITY_GROUPS))

static const struct nb_role_cap two_words[] = {
    {"images", NB_CAP_MANAGE_DISK_IMAGES},
    {"images", NB_CAP_MANAGE_MEDIA_IMAGES},
    {"ops", NB_CAP_MANAGE_POOLS},
    {NULL, 0},
};

static void
test_every_nano_tag_grants_its_capability(void **state)
{
    static const struct {
        const char *tag;
        enum nb_cap cap;
    } want[] = {
        {"dashboard", NB_CAP_VIEW_DASHBOARD},
        {"compute_pool", NB_CAP_MANAGE_POOLS},
        {"address_pool", NB_CAP_MANAGE_ADDRESSES},
        {"storage_pool", NB_CAP_MANAGE_STORAGE},
        {"instance", NB_CAP_MANAGE_GUESTS},
        {"image", NB_CAP_MANAGE_DISK_IMAGES},
        {"media", NB_CAP_MANAGE_MEDIA_IMAGES},
        {"templates", NB_CAP_MANAGE_TEMPLATES},
        {"policies", NB_CAP_MANAGE_SECURITY_GROUPS},
        {"user", NB_CAP_MANAGE_USERS},
        {"log", NB_CAP_MANAGE_LOGS},
        {"visibility", NB_CAP_MANAGE_VISIBILITY},
    };
    size_t rows = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_true(nb_role_known(nano_menu, want[i].tag));
        assert_int_equal(nb_cap_mask(nano_menu, want[i].tag) & ~VIEWS, BIT(want[i].cap));
    }
    /* the reads of what a guest's create names: the instance pages', and each list's own */
    assert_int_equal(nb_cap_mask(nano_menu, "instance") & VIEWS, VIEWS);
    assert_int_equal(nb_cap_mask(nano_menu, "compute_pool") & VIEWS, BIT(NB_CAP_VIEW_POOLS));
    assert_int_equal(nb_cap_mask(nano_menu, "image") & VIEWS, BIT(NB_CAP_VIEW_DISK_IMAGES));
    assert_int_equal(nb_cap_mask(nano_menu, "media") & VIEWS, BIT(NB_CAP_VIEW_MEDIA_IMAGES));
    assert_int_equal(nb_cap_mask(nano_menu, "policies") & VIEWS, BIT(NB_CAP_VIEW_SECURITY_GROUPS));
    assert_int_equal(nb_cap_mask(nano_menu, "dashboard,address_pool,storage_pool,templates,user,"
                                            "log,visibility") &
                         VIEWS,
                     0);
    while (nano_menu[rows].role != NULL)
        rows++;
    assert_int_equal(rows, sizeof(want) / sizeof(want[0]) + 8);
}

static void
test_nano_dialect_maps_with_its_menu(void **state)
{
    (void)state;
    assert_ptr_equal(nano_dialect.roles, nano_menu);
    assert_null(waldur_dialect.roles);
}

static void
test_a_list_grants_the_union_of_its_roles(void **state)
{
    (void)state;
    assert_int_equal(nb_cap_mask(nano_menu, "instance,log,user"),
                     BIT(NB_CAP_MANAGE_GUESTS) | VIEWS | BIT(NB_CAP_MANAGE_LOGS) |
                         BIT(NB_CAP_MANAGE_USERS));
    /* a role on two rows grants both */
    assert_int_equal(nb_cap_mask(two_words, "images"),
                     BIT(NB_CAP_MANAGE_DISK_IMAGES) | BIT(NB_CAP_MANAGE_MEDIA_IMAGES));
}

static void
test_unknown_and_partial_names_grant_nothing(void **state)
{
    (void)state;
    assert_int_equal(nb_cap_mask(nano_menu, ""), 0);
    assert_int_equal(nb_cap_mask(nano_menu, NULL), 0);
    assert_int_equal(nb_cap_mask(NULL, "instance"), 0);
    assert_int_equal(nb_cap_mask(nano_menu, "inst,instances,users,admin"), 0);
    assert_int_equal(nb_cap_mask(nano_menu, ",,log,"), BIT(NB_CAP_MANAGE_LOGS));
    assert_false(nb_role_known(nano_menu, "admin"));
    assert_false(nb_role_known(nano_menu, "Instance"));
    assert_false(nb_role_known(nano_menu, ""));
    assert_false(nb_role_known(NULL, "log"));
    /* the names before the portal's (migration 020) are labels now */
    assert_int_equal(
        nb_cap_mask(nano_menu, "disk_image,media_image,system_template,security_policy"), 0);
    assert_int_equal(nb_cap_mask(nano_menu, "image_server"), 0);
    /* Nano's words mean nothing in another table */
    assert_int_equal(nb_cap_mask(two_words, "instance,compute_pool"), 0);
}

static void
test_public_and_user_routes_admit_everyone(void **state)
{
    (void)state;
    assert_true(nb_cap_allows(NB_CAP_PUBLIC, false, 0, NULL, NULL));
    assert_true(nb_cap_allows(NB_CAP_USER, false, 0, "bob", NULL));
}

static void
test_a_capability_route_needs_its_bit(void **state)
{
    uint32_t guests = nb_cap_mask(nano_menu, "instance");

    (void)state;
    assert_true(nb_cap_allows(NB_CAP_MANAGE_GUESTS, false, guests, "bob", NULL));
    assert_false(nb_cap_allows(NB_CAP_MANAGE_POOLS, false, guests, "bob", NULL));
    assert_false(nb_cap_allows(NB_CAP_MANAGE_GUESTS, false, 0, "bob", NULL));
    assert_false(nb_cap_allows(NB_CAP_MANAGE_DISK_IMAGES, false, nb_cap_mask(nano_menu, "media"),
                               "bob", NULL));
}

static void
test_admin_passes_every_check_and_only_admin_passes_admin(void **state)
{
    (void)state;
    for (int c = 0; c < NB_CAP__MAX; c++)
        assert_true(nb_cap_allows((enum nb_cap)c, true, 0, "root", "someone"));
    /* every capability bit together still is not the admin flag */
    assert_false(nb_cap_allows(NB_CAP_ADMIN, false, UINT32_MAX, "bob", NULL));
}

static void
test_self_admits_the_named_user_or_user_managers(void **state)
{
    (void)state;
    assert_true(nb_cap_allows(NB_CAP_SELF, false, 0, "bob", "bob"));
    assert_false(nb_cap_allows(NB_CAP_SELF, false, 0, "bob", "alice"));
    assert_false(nb_cap_allows(NB_CAP_SELF, false, 0, "bob", "Bob"));
    assert_false(nb_cap_allows(NB_CAP_SELF, false, 0, "bob", NULL));
    assert_false(
        nb_cap_allows(NB_CAP_SELF, false, nb_cap_mask(nano_menu, "instance,log"), "bob", "alice"));
    assert_true(nb_cap_allows(NB_CAP_SELF, false, nb_cap_mask(nano_menu, "user"), "bob", "alice"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_nano_tag_grants_its_capability),
        cmocka_unit_test(test_nano_dialect_maps_with_its_menu),
        cmocka_unit_test(test_a_list_grants_the_union_of_its_roles),
        cmocka_unit_test(test_unknown_and_partial_names_grant_nothing),
        cmocka_unit_test(test_public_and_user_routes_admit_everyone),
        cmocka_unit_test(test_a_capability_route_needs_its_bit),
        cmocka_unit_test(test_admin_passes_every_check_and_only_admin_passes_admin),
        cmocka_unit_test(test_self_admits_the_named_user_or_user_managers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
