/* Nano's roles are lists of menu tags; this table is the whole of what each tag grants. The
 * names are the web portal's (its sidebar shows a page per tag); any other tag is a label a
 * role stores and shows as given, granting nothing. */
#include "routes/nano/nano.h"

const struct nb_role_cap nano_menu[] = {
    {"dashboard", NB_CAP_VIEW_DASHBOARD},
    {"compute_pool", NB_CAP_MANAGE_POOLS},
    {"compute_pool", NB_CAP_VIEW_POOLS},
    {"address_pool", NB_CAP_MANAGE_ADDRESSES},
    {"storage_pool", NB_CAP_MANAGE_STORAGE},
    {"instance", NB_CAP_MANAGE_GUESTS},
    /* The instance pages list what a create or a media insertion names. */
    {"instance", NB_CAP_VIEW_POOLS},
    {"instance", NB_CAP_VIEW_DISK_IMAGES},
    {"instance", NB_CAP_VIEW_MEDIA_IMAGES},
    {"instance", NB_CAP_VIEW_SECURITY_GROUPS},
    {"image", NB_CAP_MANAGE_DISK_IMAGES},
    {"image", NB_CAP_VIEW_DISK_IMAGES},
    {"media", NB_CAP_MANAGE_MEDIA_IMAGES},
    {"media", NB_CAP_VIEW_MEDIA_IMAGES},
    {"templates", NB_CAP_MANAGE_TEMPLATES},
    {"policies", NB_CAP_MANAGE_SECURITY_GROUPS},
    {"policies", NB_CAP_VIEW_SECURITY_GROUPS},
    {"user", NB_CAP_MANAGE_USERS},
    {"log", NB_CAP_MANAGE_LOGS},
    {"visibility", NB_CAP_MANAGE_VISIBILITY},
    {NULL, 0},
};
