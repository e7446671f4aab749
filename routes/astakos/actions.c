/* Astakos's action bodies, {"<action>": data}: which one a request names (get_action). */
#include "routes/astakos/astakos.h"

/* The one action a body names, {"<action>": ...}; names is indexed by the action. Astakos
 * takes exactly one. */
int
astakos_action_pick(struct nb_req *r, const char *const *names, int n, struct json_object **data)
{
    int found = -1;

    for (int i = 0; i < n; i++) {
        if (!json_object_object_get_ex(r->json, names[i], NULL))
            continue;
        if (found >= 0)
            return nb_fail(r, NB_E_INVALID, "Multiple actions not supported");
        found = i;
    }
    if (found < 0)
        return nb_fail(r, NB_E_INVALID, "No recognized action");
    json_object_object_get_ex(r->json, names[found], data);
    return found;
}
