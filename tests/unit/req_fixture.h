/* The request the unit tests of the request machinery start from: zeroed, with its own arena,
 * unrouted (route_index -1, as a worker hands it to the dispatcher). req_setup and req_teardown
 * are cmocka's setup and teardown; REQ_TEST(f) runs test f between them. */
#ifndef NB_TEST_REQ_FIXTURE_H
#define NB_TEST_REQ_FIXTURE_H

#include <stdlib.h>

#include "app/request.h"

static inline int
req_setup(void **state)
{
    struct nb_req *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return -1;
    r->arena = nb_arena_new(4096);
    r->route_index = -1;
    *state = r;
    return 0;
}

static inline int
req_teardown(void **state)
{
    struct nb_req *r = *state;

    nb_arena_free(r->arena);
    free(r);
    return 0;
}

#define REQ_TEST(f) cmocka_unit_test_setup_teardown(f, req_setup, req_teardown)

#endif
