/* Nano media images (ISO) and disk images (qcow2): records, searches, and their files.
 * Uploads reach the worker as files nginx spooled; downloads are served by nginx. The two
 * kinds share every handler body; the exported handlers only name the kind. */
#include <string.h>

#include "db/db.h"
#include "db/images.h"
#include "routes/nano/nano.h"

static const char *const extension[NB_IMAGE__MAX] = {".iso", ".qcow2"};

/* ImageStatus. */
static struct json_object *
image_json(const struct nb_image *img)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(nb_image_str(img, NB_IC_NAME)));
    json_object_object_add(o, "id", json_object_new_string(nb_image_str(img, NB_IC_ID)));
    json_object_object_add(o, "owner", json_object_new_string(nb_image_str(img, NB_IC_OWNER)));
    json_object_object_add(o, "group", json_object_new_string(nb_image_str(img, NB_IC_GROUP)));
    json_object_object_add(o, "description",
                           json_object_new_string(nb_image_str(img, NB_IC_DESCRIPTION)));
    json_object_object_add(o, "tags", nb_db_json(img->res, img->row, NB_IC_TAGS));
    json_object_object_add(o, "created",
                           json_object_new_boolean(nb_image_bool(img, NB_IC_CREATED)));
    json_object_object_add(o, "progress", json_object_new_int64(nb_image_int(img, NB_IC_PROGRESS)));
    json_object_object_add(o, "create_time",
                           json_object_new_string(nb_image_str(img, NB_IC_CREATE_TIME)));
    json_object_object_add(o, "modify_time",
                           json_object_new_string(nb_image_str(img, NB_IC_MODIFY_TIME)));
    json_object_object_add(o, "size", json_object_new_int64(nb_image_int(img, NB_IC_SIZE)));
    return o;
}

/* ?tags=a,b as a JSON array (NULL when absent or empty). */
static const char *
tags_param(struct nb_req *r)
{
    const char *v = nb_query_text(r, "tags");
    struct json_object *a;

    if (v == NULL)
        return NULL;
    a = nb_json_own(r, json_object_new_array());
    while (*v != '\0') {
        size_t n = strcspn(v, ",");

        if (n > 0)
            json_object_array_add(a, json_object_new_string_len(v, (int)n));
        v += n + (v[n] == ',');
    }
    return json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
}

static int
search(struct nb_req *r, enum nb_image_kind k)
{
    const PGresult *res = nb_image_search(r, k, tags_param(r));
    struct json_object *list;

    if (res == NULL)
        return -1;
    list = json_object_new_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_object_array_add(list, image_json(&(struct nb_image){res, i, k}));
    return nano_ok(r, 200, list);
}

static int
modify(struct nb_req *r, enum nb_image_kind k)
{
    struct nb_image img;
    struct nb_image_spec spec;

    nb_image_spec_from_json(r->json, &spec);
    if (nb_image_load(r, k, r->capture[0], &img) < 0 || nb_image_modify(r, &img, &spec) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

static int
remove_image(struct nb_req *r, enum nb_image_kind k)
{
    struct nb_image img;

    if (nb_image_load(r, k, r->capture[0], &img) < 0 || nb_image_delete(r, &img) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

static int
sync_store(struct nb_req *r, enum nb_image_kind k)
{
    if (nb_image_sync(r, k, nb_json_get_string(r->json, "owner"),
                      nb_json_get_string(r->json, "group")) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

static int
upload(struct nb_req *r, enum nb_image_kind k, bool checksum_required)
{
    struct nb_image img;

    if (nb_image_load(r, k, r->capture[0], &img) < 0 ||
        nb_image_upload(r, &img, checksum_required) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* The file itself, sent by nginx (Range requests included) once the caller may see it. */
static int
download(struct nb_req *r, enum nb_image_kind k)
{
    struct nb_image img;

    if (nb_image_load(r, k, r->capture[0], &img) < 0)
        return -1;
    if (!nb_image_bool(&img, NB_IC_CREATED) || nb_image_str(&img, NB_IC_FILE)[0] == '\0')
        return nb_fail(r, NB_E_CONFLICT, "%s image %s has no file yet", nb_image_kind_name[k],
                       nb_image_str(&img, NB_IC_NAME));
    return nb_reply_file(
        r, nb_image_uri(r, k, nb_image_str(&img, NB_IC_FILE)),
        nb_arena_printf(r->arena, "%s%s", nb_image_str(&img, NB_IC_NAME), extension[k]));
}

/* GET /media_image_search/, GET /media_images/ (?tags=a,b filters both). */
int
nano_media_image_search(struct nb_req *r)
{
    return search(r, NB_IMAGE_MEDIA);
}

/* GET /media_images/{id}: ImageStatus, whether or not its file is there yet. */
int
nano_media_image_get(struct nb_req *r)
{
    struct nb_image img;

    if (nb_image_load(r, NB_IMAGE_MEDIA, r->capture[0], &img) < 0)
        return -1;
    return nano_ok(r, 200, image_json(&img));
}

/* POST /media_images/ {name, owner, group, description, tags} → {id}; the file comes later. */
int
nano_media_image_create(struct nb_req *r)
{
    struct nb_image_spec spec;
    const char *id;

    nb_image_spec_from_json(r->json, &spec);
    if (nb_image_create(r, NB_IMAGE_MEDIA, &spec, NULL, &id) < 0)
        return -1;
    return nano_id(r, 200, id);
}

int
nano_media_image_modify(struct nb_req *r)
{
    return modify(r, NB_IMAGE_MEDIA);
}

int
nano_media_image_delete(struct nb_req *r)
{
    return remove_image(r, NB_IMAGE_MEDIA);
}

/* PATCH /media_images/ {owner, group}: records for ISO files an operator put in the store by
 * hand; administrators only, since it hands files out to an owner. */
int
nano_media_image_sync(struct nb_req *r)
{
    return sync_store(r, NB_IMAGE_MEDIA);
}

int
nano_media_image_download(struct nb_req *r)
{
    return download(r, NB_IMAGE_MEDIA);
}

/* POST /media_image_files/{id}: multipart, the ISO in part "image" (checksum optional). */
int
nano_media_image_upload(struct nb_req *r)
{
    return upload(r, NB_IMAGE_MEDIA, false);
}

/* GET /disk_image_search/?tags=a,b and GET /disk_images/ */
int
nano_disk_image_search(struct nb_req *r)
{
    return search(r, NB_IMAGE_DISK);
}

/* GET /disk_images/{id}: 202 with progress until the image has its file, then 200. */
int
nano_disk_image_get(struct nb_req *r)
{
    struct nb_image img;
    struct json_object *data;

    if (nb_image_load(r, NB_IMAGE_DISK, r->capture[0], &img) < 0)
        return -1;
    if (nb_image_bool(&img, NB_IC_CREATED))
        return nano_ok(r, 200, image_json(&img));
    if (strcmp(nb_image_str(&img, NB_IC_OP_STATUS), "failed") == 0)
        return nb_fail(r, NB_E_CONFLICT, "creating disk image %s failed: %s",
                       nb_image_str(&img, NB_IC_NAME), nb_image_str(&img, NB_IC_OP_ERROR));
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(nb_image_str(&img, NB_IC_NAME)));
    json_object_object_add(data, "created", json_object_new_boolean(false));
    json_object_object_add(data, "progress",
                           json_object_new_int64(nb_image_int(&img, NB_IC_PROGRESS)));
    json_object_object_add(data, "description",
                           json_object_new_string(nb_image_str(&img, NB_IC_DESCRIPTION)));
    json_object_object_add(data, "tags", nb_db_json(img.res, img.row, NB_IC_TAGS));
    return nano_ok(r, 202, data);
}

/* POST /disk_images/ {name, guest, ...}: with guest, 202 and a clone of the guest's system
 * disk made by the reconciler; without, 200 and an empty record waiting for its upload. */
int
nano_disk_image_create(struct nb_req *r)
{
    struct nb_image_spec spec;
    const char *guest = nb_json_get_string(r->json, "guest"), *id;

    nb_image_spec_from_json(r->json, &spec);
    if (guest != NULL && guest[0] != '\0') {
        if (nb_guest_clone_disk(r, &spec, guest, &id) < 0)
            return -1;
        return nano_id(r, 202, id);
    }
    if (nb_image_create(r, NB_IMAGE_DISK, &spec, NULL, &id) < 0)
        return -1;
    return nano_id(r, 200, id);
}

int
nano_disk_image_modify(struct nb_req *r)
{
    return modify(r, NB_IMAGE_DISK);
}

int
nano_disk_image_delete(struct nb_req *r)
{
    return remove_image(r, NB_IMAGE_DISK);
}

/* PATCH /disk_images/ {owner, group}: records for qcow2 files an operator put in the store by
 * hand; administrators only. */
int
nano_disk_image_sync(struct nb_req *r)
{
    return sync_store(r, NB_IMAGE_DISK);
}

int
nano_disk_image_download(struct nb_req *r)
{
    return download(r, NB_IMAGE_DISK);
}

/* POST /disk_image_files/{id}: multipart, the qcow2 in part "image" and its SHA-1 or SHA-256
 * in field "checksum". */
int
nano_disk_image_upload(struct nb_req *r)
{
    return upload(r, NB_IMAGE_DISK, true);
}

/* POST /disk_images/{id}/file/: the real image server's own path, which Nano's web portal
 * posts to with the file alone. That handler computes the checksum itself (uploadDiskImageFile
 * in core's imageserver/http_module.go); only the cells' PUT must send one. So here a checksum
 * is optional, and checked when given. */
int
nano_disk_image_upload_portal(struct nb_req *r)
{
    return upload(r, NB_IMAGE_DISK, false);
}
