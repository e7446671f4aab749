/* A guest's security policy (default action and ordered rules, as Nano keeps them) written as
 * a libvirt nwfilter. Pure text: the reconciler defines it on the host (app/reconciler/). */
#ifndef NB_NWFILTER_H
#define NB_NWFILTER_H

#include <json-c/json.h>
#include <stdbool.h>

#include "app/arena.h"

/* The filter's name for a guest: nimbus-<guest id>. */
const char *nb_nwfilter_name(struct nb_arena *a, const char *guest_id);

/* Whether the policy needs a filter at all: rules, or a default that rejects. */
bool nb_nwfilter_needed(const char *default_action, struct json_object *rules);

/* The <filter> of the policy, living in a: replies to the guest's own traffic and its outgoing
 * traffic pass; then each rule in order (inbound; tcp/udp match to_port as dstportstart, icmp
 * and all match the protocol; from_address becomes srcipaddr); last the default action for
 * every other inbound packet. Rules are trusted to be checked already (the API did); an
 * unknown protocol matches all. uuid is the existing filter's (libvirt redefines a filter only
 * under the uuid it has), NULL for a new one. Every value is escaped (nb_xml_escape). */
const char *nb_nwfilter_xml(struct nb_arena *a, const char *guest_id, const char *uuid,
                            const char *default_action, struct json_object *rules);

#endif
