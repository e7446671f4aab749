/* Nano's roles are lists of menu tags; this table is the whole of what each tag grants. */
#include "routes/nano/nano.h"

const struct nb_role_cap nano_menu[] = {
    {"dashboard", NB_CAP_VIEW_DASHBOARD},
    {"compute_pool", NB_CAP_MANAGE_POOLS},
    {"address_pool", NB_CAP_MANAGE_ADDRESSES},
    {"storage_pool", NB_CAP_MANAGE_STORAGE},
    {"instance", NB_CAP_MANAGE_GUESTS},
    {"disk_image", NB_CAP_MANAGE_DISK_IMAGES},
    {"media_image", NB_CAP_MANAGE_MEDIA_IMAGES},
    {"user", NB_CAP_MANAGE_USERS},
    {"log", NB_CAP_MANAGE_LOGS},
    {"visibility", NB_CAP_MANAGE_VISIBILITY},
    {"security_policy", NB_CAP_MANAGE_SECURITY_GROUPS},
    {"system_template", NB_CAP_MANAGE_TEMPLATES},
    {"image_server", NB_CAP_MANAGE_IMAGE_SERVER},
    {NULL, 0},
};
