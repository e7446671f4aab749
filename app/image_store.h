/* The image store: where media and disk image files live, and how an upload gets there.
 * nginx streams an upload to the upload pool; only checked files ever reach the store. */
#ifndef NB_IMAGE_STORE_H
#define NB_IMAGE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

enum nb_image_kind { NB_IMAGE_MEDIA, NB_IMAGE_DISK, NB_IMAGE__MAX };

/* "media", "disk": the kind's name in the database and its directory in the store. */
extern const char *const nb_image_kind_name[NB_IMAGE__MAX];

/* The store's root: $NIMBUS_IMAGE_STORE, else $NIMBUS_STATE_DIR/images. */
const char *nb_image_store_root(void);
/* The largest image file accepted: $NIMBUS_IMAGE_MAX_SIZE bytes, default 64 GiB. */
int64_t nb_image_max_size(void);
/* The bytes one user's images may take in all: $NIMBUS_IMAGE_QUOTA, default 256 GiB. */
int64_t nb_image_quota(void);
/* <root>/<kind>/<file>, living as long as the request. */
const char *nb_image_path(struct nb_req *r, enum nb_image_kind k, const char *file);
/* The URI nginx serves the file from (an internal location aliased to the store). */
const char *nb_image_uri(struct nb_req *r, enum nb_image_kind k, const char *file);

/* A checked file waiting in staging/ for the row that will name it. */
struct nb_image_upload {
    const char *file; /* its name in staging/ now and in the kind's directory once installed:
                         <image id>-<16 hex>.iso or .qcow2, new for every upload */
    int64_t size;
    char sha256[65];
};

/* <root>/staging/<file>: files being written (uploads, clones from guests), outside the
 * kinds' directories until their rows commit. */
const char *nb_image_staging_path(struct nb_req *r, const char *file);
/* A fresh file name for image id of kind k. */
const char *nb_image_new_file(struct nb_req *r, enum nb_image_kind k, const char *id);

/* Takes the request's streamed body — multipart/form-data with the file in part "image" and
 * an optional "checksum" field (SHA-1 or SHA-256, hex), or the bare file with ?checksum= —
 * into staging/ as it arrives, measuring and hashing it in the same pass, and checks it: not
 * empty, at most nb_image_max_size() bytes, the checksum when given (and it must be given
 * when checksum_required), and the format: media an ISO 9660 image, disk a qcow2 image
 * without backing or external data files (qemu-img info). 0 with *up filled, or -1 with the
 * error recorded; the staged file is removed when the request ends unless installed by then. */
int nb_image_upload_receive(struct nb_req *r, enum nb_image_kind k, const char *id,
                            bool checksum_required, struct nb_image_upload *up);
/* Checks the staged file the way uploads are checked; fills size and sha256 of *up. */
int nb_image_staged_check(struct nb_req *r, enum nb_image_kind k, const char *file,
                          struct nb_image_upload *up);
/* Moves staged file into the kind's directory (after its row committed); a failure is
 * logged, the row keeps naming the file and the next synchronisation clears it. */
void nb_image_install(struct nb_req *r, enum nb_image_kind k, const char *file);

/* Checks a file already in the store (synchronise) the way uploads are checked; fills size
 * and sha256 of *up. 0, or -1 with the error recorded. */
int nb_image_file_check(struct nb_req *r, enum nb_image_kind k, const char *file,
                        struct nb_image_upload *up);
/* The store's file names of kind k that could be images (regular files, [A-Za-z0-9._-],
 * the kind's extension, not hidden), as an array living as long as the request. */
int nb_image_store_list(struct nb_req *r, enum nb_image_kind k, const char ***names, int *n);
/* Removes a file from the store; a missing file is not an error. */
void nb_image_file_remove(struct nb_req *r, enum nb_image_kind k, const char *file);

#endif
