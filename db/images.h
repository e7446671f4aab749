/* Media and disk images as every dialect sees them: visibility-checked loads, records, and
 * the files behind them (app/image_store.h). */
#ifndef NB_IMAGES_H
#define NB_IMAGES_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/image_store.h"
#include "app/request.h"

/* Columns of an image read, in the order of NB_IMAGE_COLUMNS (db/queries/images.def). */
enum nb_image_col {
    NB_IC_ID,
    NB_IC_NAME,
    NB_IC_OWNER,
    NB_IC_GROUP,
    NB_IC_DESCRIPTION,
    NB_IC_TAGS,
    NB_IC_CREATED,
    NB_IC_PROGRESS,
    NB_IC_SIZE,
    NB_IC_CREATE_TIME,
    NB_IC_MODIFY_TIME,
    NB_IC_FILE,
    NB_IC_KIND,
    NB_IC_OWNER_ID,
    NB_IC_OP_STATUS,
    NB_IC_OP_ERROR,
    NB_IC_CHECKSUM,
    NB_IC__MAX
};

/* One image: a row of a result that lives as long as the request. */
struct nb_image {
    const PGresult *res;
    int row;
    enum nb_image_kind kind;
};

const char *nb_image_str(const struct nb_image *img, enum nb_image_col c);
int64_t nb_image_int(const struct nb_image *img, enum nb_image_col c);
bool nb_image_bool(const struct nb_image *img, enum nb_image_col c);

/* Loads an image of kind k the caller may see; anything else (unknown, malformed id, another
 * kind, someone else's) is NB_E_NOT_FOUND "<kind> image <id> not found". */
int nb_image_load(struct nb_req *r, enum nb_image_kind k, const char *id, struct nb_image *img);
/* nb_image_load of an image that has its file; one still waiting for it is NB_E_CONFLICT
 * "<kind> image <name> has no file yet", reported on field. */
int nb_image_load_ready(struct nb_req *r, enum nb_image_kind k, const char *id, const char *field,
                        struct nb_image *img);
/* Images of kind k the caller may see holding every tag of tags_json (NULL: all), oldest
 * first. NULL with the error recorded. */
const PGresult *nb_image_search(struct nb_req *r, enum nb_image_kind k, const char *tags_json);

/* ImageConfigure as a body gives it (NULL: absent). */
struct nb_image_spec {
    const char *name, *owner, *group, *description;
    struct json_object *tags;
};
void nb_image_spec_from_json(struct json_object *o, struct nb_image_spec *spec);

/* Creates a record of kind k with no file yet; source_guest (disk images cloned from a guest)
 * may be NULL. *id is the new image's id. */
int nb_image_create(struct nb_req *r, enum nb_image_kind k, const struct nb_image_spec *spec,
                    const char *source_guest, const char **id);
/* Records that operation op_id (create_disk_image) fills image id: its progress and outcome
 * are the image's until it has its file (db/guests.h, nb_guest_clone_disk). */
int nb_image_set_operation(struct nb_req *r, const char *id, const char *op_id);
/* Changes name, description, tags, owner (administrators only) of a loaded image. */
int nb_image_modify(struct nb_req *r, const struct nb_image *img, const struct nb_image_spec *spec);
/* Deletes the record; its file leaves the store once that has committed. */
int nb_image_delete(struct nb_req *r, const struct nb_image *img);
/* Receives the request's upload for a loaded image, checks it and records it
 * (nb_image_file_commit). The owner's images may hold $NIMBUS_IMAGE_QUOTA bytes in all. */
int nb_image_upload(struct nb_req *r, const struct nb_image *img, bool checksum_required);
/* Records the checked, staged file up as the file of image id within the owner's limit
 * (NB_E_CONFLICT past it; NB_E_NOT_FOUND when the image was deleted meanwhile), in a
 * transaction of its own or the caller's; once that commits, the file is renamed into the
 * store and the one it replaces is removed. */
int nb_image_file_commit(struct nb_req *r, enum nb_image_kind k, const char *id,
                         const struct nb_image_upload *up);
/* Synchronises the records of kind k with the store's directory (an administrator's
 * operation): a record, owned by owner (NULL: the caller), for every image file no record
 * holds or is being written for; records whose file has gone lose it. Files that fail the
 * upload checks are skipped. */
int nb_image_sync(struct nb_req *r, enum nb_image_kind k, const char *owner, const char *group);

#endif
