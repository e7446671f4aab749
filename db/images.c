/* Media and disk images: visibility-checked loads, records, uploads and synchronisation with
 * the store's directories. A record and its file change together: a new file waits in
 * staging/ until the row naming it has committed, and is then renamed into the store; a file
 * a row stops naming (replaced, deleted) leaves the store once that change has committed. */
#include "db/images.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/users.h"

#define TAGS_MAX 32
#define TAG_MAX_LEN 64
#define DESCRIPTION_MAX_LEN 1024

const char *
nb_image_str(const struct nb_image *img, enum nb_image_col c)
{
    return nb_db_text(img->res, img->row, (int)c);
}

int64_t
nb_image_int(const struct nb_image *img, enum nb_image_col c)
{
    return nb_db_int(img->res, img->row, (int)c);
}

bool
nb_image_bool(const struct nb_image *img, enum nb_image_col c)
{
    return nb_db_bool(img->res, img->row, (int)c);
}

int
nb_image_load(struct nb_req *r, enum nb_image_kind k, const char *id, struct nb_image *img)
{
    const PGresult *res;

    if (!nb_is_uuid(id))
        return nb_fail(r, NB_E_NOT_FOUND, "%s image %s not found", nb_image_kind_name[k], id);
    res = nb_db_query_scoped(r, NB_Q_IMAGE_GET, id, nb_image_kind_name[k]);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "%s image %s not found", nb_image_kind_name[k], id);
    *img = (struct nb_image){res, 0, k};
    return 0;
}

const PGresult *
nb_image_search(struct nb_req *r, enum nb_image_kind k, const char *tags_json)
{
    return nb_db_query_scoped(r, NB_Q_IMAGE_SEARCH, nb_image_kind_name[k], tags_json);
}

void
nb_image_spec_from_json(struct json_object *o, struct nb_image_spec *spec)
{
    spec->name = nb_json_get_string(o, "name");
    spec->owner = nb_json_get_string(o, "owner");
    spec->group = nb_json_get_string(o, "group");
    spec->description = nb_json_get_string(o, "description");
    spec->tags = nb_json_get(o, "tags");
}

/* Tags: at most TAGS_MAX strings of 1 to TAG_MAX_LEN characters; their JSON text. */
static const char *
check_tags(struct nb_req *r, struct json_object *tags)
{
    const char *text = nb_check_string_array(r, "tags", tags);

    if (text == NULL)
        return NULL;
    if (json_object_array_length(tags) > TAGS_MAX) {
        nb_fail_field(r, NB_E_INVALID, "tags", "at most %d tags", TAGS_MAX);
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(tags); i++) {
        size_t n = strlen(json_object_get_string(json_object_array_get_idx(tags, i)));

        if (n == 0 || n > TAG_MAX_LEN) {
            nb_fail_field(r, NB_E_INVALID, "tags", "each tag must have 1 to %d characters",
                          TAG_MAX_LEN);
            return NULL;
        }
    }
    return text;
}

static int
check_spec(struct nb_req *r, enum nb_image_kind k, const struct nb_image_spec *s, bool create,
           const char **tags)
{
    const char *what = k == NB_IMAGE_MEDIA ? "media image" : "disk image";

    if ((create || s->name != NULL) && nb_check_name(r, what, s->name) < 0)
        return -1;
    if (s->description != NULL && strlen(s->description) > DESCRIPTION_MAX_LEN)
        return nb_fail_field(r, NB_E_INVALID, "description", "at most %d characters",
                             DESCRIPTION_MAX_LEN);
    *tags = NULL;
    if (s->tags != NULL && (*tags = check_tags(r, s->tags)) == NULL)
        return -1;
    return 0;
}

int
nb_image_create(struct nb_req *r, enum nb_image_kind k, const struct nb_image_spec *s,
                const char *source_guest, const char **id)
{
    const char *owner_id, *group_id, *tags;
    const PGresult *res;

    if (check_spec(r, k, s, true, &tags) < 0 ||
        nb_user_owner(r, s->owner, k == NB_IMAGE_MEDIA ? "media images" : "disk images", &owner_id,
                      &group_id) < 0)
        return -1;
    res = nb_db_query(r, NB_Q_IMAGE_INSERT, nb_image_kind_name[k], s->name, owner_id, group_id,
                      s->description != NULL ? s->description : "", tags != NULL ? tags : "[]",
                      source_guest);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "%s image %s already exists", nb_image_kind_name[k],
                       s->name);
    *id = nb_db_text(res, 0, 0);
    return 0;
}

int
nb_image_load_ready(struct nb_req *r, enum nb_image_kind k, const char *id, const char *field,
                    struct nb_image *img)
{
    if (nb_image_load(r, k, id != NULL ? id : "", img) < 0)
        return -1;
    if (!nb_image_bool(img, NB_IC_CREATED))
        return nb_fail_field(r, NB_E_CONFLICT, field, "%s image %s has no file yet",
                             nb_image_kind_name[k], nb_image_str(img, NB_IC_NAME));
    return 0;
}

int
nb_image_set_operation(struct nb_req *r, const char *id, const char *op_id)
{
    return nb_db_query(r, NB_Q_IMAGE_SET_OPERATION, id, op_id) != NULL ? 0 : -1;
}

int
nb_image_modify(struct nb_req *r, const struct nb_image *img, const struct nb_image_spec *s)
{
    const char *owner_id = NULL, *group_id = NULL, *tags;

    if (check_spec(r, img->kind, s, false, &tags) < 0)
        return -1;
    /* Only an administrator gives an image to another owner. Nano's portal sends the editor's
     * own name with every edit, so from a member of a group that shares images, who is not the
     * owner, that name means "as it is": an edit never moves the image (and its bytes, counted
     * per owner) to whoever edited it. Any other name is refused by nb_user_owner. */
    if (s->owner != NULL && s->owner[0] != '\0' &&
        strcmp(s->owner, nb_image_str(img, NB_IC_OWNER)) != 0 &&
        (r->user.is_admin || strcmp(s->owner, r->user.name) != 0) &&
        nb_user_owner(r, s->owner, img->kind == NB_IMAGE_MEDIA ? "media images" : "disk images",
                      &owner_id, &group_id) < 0)
        return -1;
    return nb_db_query(r, NB_Q_IMAGE_UPDATE, nb_image_str(img, NB_IC_ID), s->name, owner_id,
                       group_id, s->description, tags) != NULL
               ? 0
               : -1;
}

/* The per-owner limit on image bytes, checked against the owner's other images. */
static int
check_quota(struct nb_req *r, enum nb_image_kind k, const char *id, int64_t size, bool lock)
{
    const PGresult *res = nb_db_query(r, lock ? NB_Q_IMAGE_USAGE_LOCKED : NB_Q_IMAGE_USAGE, id);
    int64_t used, quota = nb_image_quota();

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "%s image %s was deleted meanwhile",
                       nb_image_kind_name[k], id);
    used = nb_db_int(res, 0, 0);
    if (used + size > quota)
        return nb_fail(r, NB_E_CONFLICT,
                       "image storage limit exceeded: the owner's images may take %lld bytes;"
                       " the others take %lld and this file %lld",
                       (long long)quota, (long long)used, (long long)size);
    return 0;
}

/* A file that changes hands once the transaction has committed. */
struct file_change {
    struct nb_req *r;
    enum nb_image_kind kind;
    const char *file, *old; /* file: now named by the row ("" none); old: no longer */
};

static void
file_changed(void *arg, bool committed)
{
    struct file_change *c = arg;
    struct nb_error saved = c->r->err;
    const PGresult *res;

    if (!committed)
        return; /* a staged file goes with the request */
    if (c->old[0] != '\0' && strcmp(c->old, c->file) != 0)
        nb_image_file_remove(c->r, c->kind, c->old);
    if (c->file[0] == '\0')
        return;
    nb_image_install(c->r, c->kind, c->file);
    /* A later upload or a delete that committed before this rename removed the file before
     * it was there: then no row names it any more, and it goes now. */
    res = nb_db_query(c->r, NB_Q_IMAGE_FILE_HELD, nb_image_kind_name[c->kind], c->file);
    if (res != NULL && PQntuples(res) == 0)
        nb_image_file_remove(c->r, c->kind, c->file);
    c->r->err = saved; /* the request's answer was decided at the commit */
}

static void
after_commit(struct nb_req *r, enum nb_image_kind k, const char *file, const char *old)
{
    struct file_change *c = nb_arena_alloc(r->arena, sizeof(*c));

    *c = (struct file_change){r, k, file, old};
    nb_db_on_end(file_changed, c);
}

int
nb_image_file_commit(struct nb_req *r, enum nb_image_kind k, const char *id,
                     const struct nb_image_upload *up)
{
    const PGresult *res;

    if (nb_db_begin(r) < 0)
        return -1;
    if (check_quota(r, k, id, up->size, true) < 0 ||
        (res = nb_db_query(r, NB_Q_IMAGE_UPLOADED, id, up->file,
                           nb_arena_printf(r->arena, "%lld", (long long)up->size), up->sha256)) ==
            NULL)
        goto fail;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "%s image %s was deleted meanwhile", nb_image_kind_name[k], id);
        goto fail;
    }
    after_commit(r, k, up->file, nb_db_text(res, 0, 0));
    return nb_db_commit(r);
fail:
    nb_db_rollback();
    return -1;
}

int
nb_image_delete(struct nb_req *r, const struct nb_image *img)
{
    const PGresult *res;

    if (strcmp(nb_image_str(img, NB_IC_OP_STATUS), "pending") == 0 ||
        strcmp(nb_image_str(img, NB_IC_OP_STATUS), "running") == 0)
        return nb_fail(r, NB_E_CONFLICT, "disk image %s is still being created",
                       nb_image_str(img, NB_IC_NAME));
    if ((res = nb_db_query(r, NB_Q_IMAGE_DELETE, nb_image_str(img, NB_IC_ID))) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        after_commit(r, img->kind, "", nb_db_text(res, 0, 0));
    return 0;
}

/* Room for the multipart framing around the file, in the early estimate. */
#define FRAMING_SLACK (64 * 1024)

int
nb_image_upload(struct nb_req *r, const struct nb_image *img, bool checksum_required)
{
    const char *id = nb_image_str(img, NB_IC_ID);
    int64_t length = (int64_t)r->body_len; /* as declared: nothing is read yet */
    struct nb_image_upload up;

    if (strcmp(nb_image_str(img, NB_IC_OP_STATUS), "pending") == 0 ||
        strcmp(nb_image_str(img, NB_IC_OP_STATUS), "running") == 0)
        return nb_fail(r, NB_E_CONFLICT, "disk image %s is being cloned from a guest",
                       nb_image_str(img, NB_IC_NAME));
    /* Before a byte is read: a file over the owner's limit is not worth hashing. */
    if (check_quota(r, img->kind, id, length > FRAMING_SLACK ? length - FRAMING_SLACK : 0, false) <
            0 ||
        nb_image_upload_receive(r, img->kind, id, checksum_required, &up) < 0)
        return -1;
    return nb_image_file_commit(r, img->kind, id, &up);
}

/* Whether a file of the store belongs to a record: one names it, or it is named after an
 * image's id (<id>-<suffix> or <id>.<ext>), its row being written or not yet naming it. */
static bool
claimed(const PGresult *files, const char *name)
{
    for (int i = 0; i < PQntuples(files); i++) {
        const char *file = nb_db_text(files, i, 0), *id = nb_db_text(files, i, 1);
        size_t n = strlen(id);

        if (strcmp(file, name) == 0 ||
            (n > 0 && strncmp(name, id, n) == 0 && (name[n] == '-' || name[n] == '.')))
            return true;
    }
    return false;
}

static bool
listed(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* Whether a file a row names is really gone: not still staged for its row (the rename comes
 * after the commit; staged first, so a rename between the two looks is seen), nor in place. */
static bool
gone(struct nb_req *r, enum nb_image_kind k, const char *file)
{
    return access(nb_image_staging_path(r, file), F_OK) < 0 &&
           access(nb_image_path(r, k, file), F_OK) < 0;
}

int
nb_image_sync(struct nb_req *r, enum nb_image_kind k, const char *owner, const char *group)
{
    const char *owner_id, *group_id, **names;
    const PGresult *files;
    int n;

    (void)group; /* an image belongs to its owner's group */
    if (nb_user_owner(r, owner, k == NB_IMAGE_MEDIA ? "media images" : "disk images", &owner_id,
                      &group_id) < 0 ||
        nb_image_store_list(r, k, &names, &n) < 0 ||
        (files = nb_db_query(r, NB_Q_IMAGE_FILES, nb_image_kind_name[k])) == NULL)
        return -1;
    for (int i = 0; i < PQntuples(files); i++) {
        const char *file = nb_db_text(files, i, 0);

        if (file[0] != '\0' && !listed(names, n, file) && gone(r, k, file) &&
            nb_db_query(r, NB_Q_IMAGE_FILE_GONE, nb_image_kind_name[k], file) == NULL)
            return -1;
    }
    for (int i = 0; i < n; i++) {
        struct nb_image_upload up;
        const char *name;

        if (claimed(files, names[i]))
            continue;
        if (nb_image_file_check(r, k, names[i], &up) < 0) {
            /* Not an image we would accept as an upload: left alone, and the probe's error
             * is not the request's. */
            memset(&r->err, 0, sizeof(r->err));
            continue;
        }
        name =
            nb_arena_strndup(r->arena, names[i], strlen(names[i]) - strlen(strrchr(names[i], '.')));
        if (nb_db_query(r, NB_Q_IMAGE_ADOPT, nb_image_kind_name[k], name, owner_id, group_id,
                        names[i], nb_arena_printf(r->arena, "%lld", (long long)up.size),
                        up.sha256) == NULL)
            return -1;
    }
    return 0;
}
