/* Security policy as a libvirt nwfilter: the pure XML writer, shared with the unit tests. */
#include "app/nwfilter.h"
#include "app/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Priorities order the rules (lower runs first): established traffic, then the guest's rules,
 * then the default. libvirt accepts -1000..1000. */
#define PRIORITY_STATE 100
#define PRIORITY_RULES 200
#define PRIORITY_DEFAULT 900

const char *
nb_nwfilter_name(struct nb_arena *a, const char *guest_id)
{
    return nb_arena_printf(a, "nimbus-%s", guest_id);
}

bool
nb_nwfilter_needed(const char *default_action, struct json_object *rules)
{
    return (default_action != NULL && strcmp(default_action, "reject") == 0) ||
           (rules != NULL && json_object_is_type(rules, json_type_array) &&
            json_object_array_length(rules) > 0);
}

static const char *
field(struct json_object *rule, const char *key)
{
    struct json_object *v = NULL;

    return json_object_object_get_ex(rule, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

/* Only the characters an IPv4 address or action has reach the XML: nothing to escape. */
static bool
plain(const char *s)
{
    return strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz.:/") == strlen(s);
}

static const char *
action_of(const char *a)
{
    return strcmp(a, "reject") == 0 ? "reject" : "accept";
}

/* One rule's match element: <tcp dstportstart='22' srcipaddr='10.0.0.1'/> and the like. */
static void
write_match(FILE *f, struct nb_arena *a, struct json_object *rule)
{
    const char *protocol = field(rule, "protocol"), *from = field(rule, "from_address");
    struct json_object *port = NULL;
    bool ports = strcmp(protocol, "tcp") == 0 || strcmp(protocol, "udp") == 0;

    if (!ports && strcmp(protocol, "icmp") != 0)
        protocol = "all";
    (void)fprintf(f, "<%s", protocol);
    if (ports && json_object_object_get_ex(rule, "to_port", &port) &&
        json_object_get_int64(port) > 0)
        (void)fprintf(f, " dstportstart='%lld'", (long long)json_object_get_int64(port));
    if (from[0] != '\0' && plain(from))
        (void)fprintf(f, " srcipaddr='%s'", nb_xml_escape(a, from));
    (void)fprintf(f, "/>");
}

const char *
nb_nwfilter_xml(struct nb_arena *a, const char *guest_id, const char *uuid,
                const char *default_action, struct json_object *rules)
{
    char *xml = NULL, *copy;
    size_t len = 0, n = rules != NULL && json_object_is_type(rules, json_type_array)
                            ? json_object_array_length(rules)
                            : 0;
    FILE *f = open_memstream(&xml, &len);

    if (f == NULL)
        abort(); /* out of memory, as the arena does */
    (void)fprintf(f, "<filter name='%s' chain='root'>\n",
                  nb_xml_escape(a, nb_nwfilter_name(a, guest_id)));
    if (uuid != NULL)
        (void)fprintf(f, "  <uuid>%s</uuid>\n", nb_xml_escape(a, uuid));
    (void)fprintf(f,
                  "  <rule action='accept' direction='in' priority='%d'>"
                  "<all state='ESTABLISHED,RELATED'/></rule>\n"
                  "  <rule action='accept' direction='out' priority='%d'><all/></rule>\n",
                  PRIORITY_STATE, PRIORITY_STATE);
    for (size_t i = 0; i < n && i < (size_t)(PRIORITY_DEFAULT - PRIORITY_RULES); i++) {
        struct json_object *rule = json_object_array_get_idx(rules, i);

        (void)fprintf(f, "  <rule action='%s' direction='in' priority='%d'>",
                      action_of(field(rule, "action")), PRIORITY_RULES + (int)i);
        write_match(f, a, rule);
        (void)fprintf(f, "</rule>\n");
    }
    (void)fprintf(f,
                  "  <rule action='%s' direction='in' priority='%d'><all/></rule>\n"
                  "</filter>\n",
                  action_of(default_action != NULL ? default_action : "accept"), PRIORITY_DEFAULT);
    if (ferror(f) || fclose(f) != 0)
        abort(); /* out of memory */
    copy = nb_arena_strndup(a, xml, len);
    free(xml);
    return copy;
}
