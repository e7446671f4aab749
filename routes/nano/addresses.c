/* Nano address pools and their ranges: a gateway, DNS servers, how guests learn their address
 * (provider) and which interfaces they get (mode); internal and external address ranges, each
 * inside one network that also holds the gateway. The rules are db/addresses.c's; guests take
 * addresses through it too. */
#include "db/addresses.h"

#include "app/validate.h"
#include "routes/nano/nano.h"

#define DNS_MAX 8

/* The pool configuration of the body, checked; absent fields are NULL (dns: not set). */
static int
pool_body(struct nb_req *r, struct nb_address_pool_config *c)
{
    struct json_object *dns = nb_json_get(r->json, "dns");
    const char **servers;
    size_t n;

    *c = (struct nb_address_pool_config){
        .gateway = nb_json_get_string(r->json, "gateway"),
        .provider = nb_json_get_string(r->json, "provider"),
        .mode = nb_json_get_string(r->json, "mode"),
    };
    if (c->gateway != NULL && nb_check_ipv4(r, "gateway", c->gateway, NULL) < 0)
        return -1;
    if (dns == NULL)
        return 0;
    if (nb_check_string_array(r, "dns", dns) == NULL)
        return -1;
    if ((n = json_object_array_length(dns)) > DNS_MAX)
        return nb_fail_field(r, NB_E_INVALID, "dns", "at most %d servers", DNS_MAX);
    servers = nb_arena_alloc(r->arena, (n > 0 ? n : 1) * sizeof(*servers));
    for (size_t i = 0; i < n; i++) {
        servers[i] = json_object_get_string(json_object_array_get_idx(dns, i));
        if (nb_check_ipv4(r, "dns", servers[i], NULL) < 0)
            return -1;
    }
    c->dns = servers;
    c->ndns = n;
    c->set_dns = true;
    return 0;
}

/* JSON text made by a statement, parsed; an empty array when it does not parse. */
static struct json_object *
json_text(const char *text)
{
    struct json_object *o = json_tokener_parse(text);

    return o != NULL ? o : json_object_new_array();
}

/* GET /address_pools/ */
int
nano_address_pool_list(struct nb_req *r)
{
    struct nb_address_pool *p;
    int n = nb_address_pool_list(r, &p);
    struct json_object *data;

    if (n < 0)
        return -1;
    data = json_object_new_array_ext(n);
    for (int i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(p[i].name));
        json_object_object_add(o, "gateway", json_object_new_string(p[i].gateway));
        json_object_object_add(o, "provider", json_object_new_string(p[i].provider));
        json_object_object_add(o, "mode", json_object_new_string(p[i].mode));
        json_object_object_add(o, "addresses", json_object_new_int64(p[i].addresses));
        json_object_object_add(o, "allocated", json_object_new_int64(p[i].allocated));
        json_object_array_add(data, o);
    }
    return nano_ok(r, 200, data);
}

/* GET /address_pools/{pool}: the configuration, every range and every allocated address. */
int
nano_address_pool_get(struct nb_req *r)
{
    struct nb_address_pool p;
    struct json_object *data;

    if (nb_address_pool_get(r, r->capture[0], &p) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(p.name));
    json_object_object_add(data, "gateway", json_object_new_string(p.gateway));
    json_object_object_add(data, "provider", json_object_new_string(p.provider));
    json_object_object_add(data, "mode", json_object_new_string(p.mode));
    json_object_object_add(data, "dns", json_text(p.dns_json));
    json_object_object_add(data, "ranges", json_text(p.ranges_json));
    json_object_object_add(data, "allocated", json_text(p.allocated_json));
    return nano_ok(r, 200, data);
}

/* POST /address_pools/{pool} {gateway, dns, provider, mode} */
int
nano_address_pool_create(struct nb_req *r)
{
    struct nb_address_pool_config c;

    if (nb_check_name(r, "address pool", r->capture[0]) < 0 || pool_body(r, &c) < 0 ||
        nb_address_pool_create(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /address_pools/{pool}: absent fields keep their value. */
int
nano_address_pool_modify(struct nb_req *r)
{
    struct nb_address_pool_config c;

    if (pool_body(r, &c) < 0 || nb_address_pool_modify(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /address_pools/{pool}: not while in use; its empty ranges go with it. */
int
nano_address_pool_remove(struct nb_req *r)
{
    if (nb_address_pool_remove(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* GET /address_pools/{pool}/{type}/ranges/ */
int
nano_address_range_list(struct nb_req *r)
{
    struct nb_address_range *g;
    int n = nb_address_range_list(r, r->capture[0], r->capture[1], &g);
    struct json_object *data;

    if (n < 0)
        return -1;
    data = json_object_new_array_ext(n);
    for (int i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "start", json_object_new_string(g[i].start));
        json_object_object_add(o, "end", json_object_new_string(g[i].end));
        json_object_object_add(o, "netmask", json_object_new_string(g[i].netmask));
        json_object_array_add(data, o);
    }
    return nano_ok(r, 200, data);
}

/* GET /address_pools/{pool}/{type}/ranges/{start} */
int
nano_address_range_get(struct nb_req *r)
{
    struct nb_address_range g;
    struct json_object *data;

    if (nb_address_range_get(r, r->capture[0], r->capture[1], r->capture[2], &g) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "start", json_object_new_string(g.start));
    json_object_object_add(data, "end", json_object_new_string(g.end));
    json_object_object_add(data, "netmask", json_object_new_string(g.netmask));
    json_object_object_add(data, "allocated", json_text(g.allocated_json));
    return nano_ok(r, 200, data);
}

/* POST /address_pools/{pool}/{type}/ranges/{start} {end, netmask} */
int
nano_address_range_add(struct nb_req *r)
{
    if (nb_address_range_add(r, r->capture[0], r->capture[1], r->capture[2],
                             nb_json_get_string(r->json, "end"),
                             nb_json_get_string(r->json, "netmask")) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /address_pools/{pool}/{type}/ranges/{start}: only a range no guest holds an address
 * of. */
int
nano_address_range_remove(struct nb_req *r)
{
    if (nb_address_range_remove(r, r->capture[0], r->capture[1], r->capture[2]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
