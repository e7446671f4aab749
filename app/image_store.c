/* The image store: media/ and disk/ under one root, files named after their image, and
 * staging/ beside them for files being written. nginx streams an upload to a worker of the
 * upload pool (fastcgi_request_buffering off: nginx keeps no copy), which writes the image —
 * the whole body, or a multipart body's image part — into staging/ as it arrives, hashing and
 * measuring it in that same single pass, then checks it and leaves it staged. Only after the
 * row that names it has committed is it renamed into media/ or disk/ (db/images.c), so
 * nothing half-written or unowned is ever in the store. Downloads are nginx's: the worker
 * answers with X-Accel-Redirect. */
#include "app/image_store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/log.h"
#include "app/multipart.h"
#include "app/secret.h"
#include "app/validate.h"

#define DEFAULT_MAX_SIZE (64LL << 30)
#define DEFAULT_QUOTA (256LL << 30)
#define COPY_BUFFER (256 * 1024)
#define QEMU_IMG_OUTPUT_MAX (64 * 1024)
#define CHECKSUM_MAX 128
#define WRITE_BEHIND (8 << 20)     /* bytes of an upload handed to the disk at a time */
#define ISO_SIGNATURE_OFFSET 32769 /* "CD001" of the first volume descriptor (sector 16) */

extern char **environ;

const char *const nb_image_kind_name[NB_IMAGE__MAX] = {
    [NB_IMAGE_MEDIA] = "media",
    [NB_IMAGE_DISK] = "disk",
};

static const char *const extension[NB_IMAGE__MAX] = {
    [NB_IMAGE_MEDIA] = ".iso",
    [NB_IMAGE_DISK] = ".qcow2",
};

const char *
nb_image_store_root(void)
{
    static char root[PATH_MAX];
    const char *v = getenv("NIMBUS_IMAGE_STORE"), *state = getenv("NIMBUS_STATE_DIR");

    int n;

    if (root[0] == '\0') {
        if (v != NULL && v[0] != '\0')
            n = snprintf(root, sizeof(root), "%s", v);
        else
            n = snprintf(root, sizeof(root), "%s/images",
                         state != NULL && state[0] != '\0' ? state : ".run");
        if (n < 0 || (size_t)n >= sizeof(root)) {
            nb_log_error(NULL, "the image store's path is longer than %zu bytes", sizeof(root) - 1);
            abort(); /* a cut path would be another directory */
        }
    }
    return root;
}

int64_t
nb_image_max_size(void)
{
    return nb_env_int("NIMBUS_IMAGE_MAX_SIZE", 1, INT64_MAX, DEFAULT_MAX_SIZE);
}

int64_t
nb_image_quota(void)
{
    return nb_env_int("NIMBUS_IMAGE_QUOTA", 1, INT64_MAX, DEFAULT_QUOTA);
}

const char *
nb_image_staging_path(struct nb_req *r, const char *file)
{
    return nb_arena_printf(r->arena, "%s/staging/%s", nb_image_store_root(), file);
}

const char *
nb_image_new_file(struct nb_req *r, enum nb_image_kind k, const char *id)
{
    return nb_arena_printf(r->arena, "%s-%s%s", id, nb_random_hex(r->arena, 8), extension[k]);
}

const char *
nb_image_path(struct nb_req *r, enum nb_image_kind k, const char *file)
{
    return nb_arena_printf(r->arena, "%s/%s/%s", nb_image_store_root(), nb_image_kind_name[k],
                           file);
}

const char *
nb_image_uri(struct nb_req *r, enum nb_image_kind k, const char *file)
{
    return nb_arena_printf(r->arena, "/_nimbus_images/%s/%s", nb_image_kind_name[k], file);
}

static void
close_fd(void *p)
{
    int *fd = p;

    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void
free_md(void *p)
{
    EVP_MD_CTX_free(p);
}

/* An fd closed when the request ends. */
static int *
owned_fd(struct nb_req *r, int fd)
{
    int *p = nb_arena_alloc(r->arena, sizeof(*p));

    *p = fd;
    nb_arena_defer(r->arena, close_fd, p);
    return p;
}

static EVP_MD_CTX *
digest_new(struct nb_req *r, const EVP_MD *md)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    if (c == NULL || EVP_DigestInit_ex(c, md, NULL) != 1)
        abort(); /* out of memory, as the arena would */
    nb_arena_defer(r->arena, free_md, c);
    return c;
}

static void
digest_hex(EVP_MD_CTX *c, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    EVP_DigestFinal_ex(c, d, &n);
    for (unsigned int i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 0xf];
    }
    out[2 * n] = '\0';
}

/* Where a file of the store is being written: the image part's bytes go here. */
struct sink {
    struct nb_req *r;
    int out;                   /* -1: hash and measure only */
    EVP_MD_CTX *sha1, *sha256; /* sha1 NULL: no SHA-1 checksum can be asked for */
    int64_t size, max;
    int64_t started, dropped; /* write-behind: writeback started below, pages dropped below */
    enum { PART_OTHER, PART_IMAGE, PART_CHECKSUM } part;
    bool seen_image, seen_checksum;
    char checksum[CHECKSUM_MAX + 1];
    size_t checksum_len;
};

static int
write_all(struct nb_req *r, int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return nb_fail(r, NB_E_INTERNAL, "writing to the image store failed: %s",
                           strerror(errno));
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write-behind for a file being received: every WRITE_BEHIND bytes, start the disk writing
 * them, wait for the previous window (written by now) and drop its pages. An upload of tens of
 * GiB then holds a few windows of page cache instead of evicting the database's pages, the
 * fsync at its end has little left to do, and the worker's pace follows the disk's. Each call
 * is advice: a failure leaves the data in the page cache, and the fsync at the end reports
 * any write error. */
static void
write_behind(struct sink *s)
{
    if (s->size - s->started < WRITE_BEHIND)
        return;
    (void)sync_file_range(s->out, s->started, s->size - s->started, SYNC_FILE_RANGE_WRITE);
    if (s->started > s->dropped) {
        (void)sync_file_range(s->out, s->dropped, s->started - s->dropped,
                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                  SYNC_FILE_RANGE_WAIT_AFTER);
        (void)posix_fadvise(s->out, s->dropped, s->started - s->dropped, POSIX_FADV_DONTNEED);
        s->dropped = s->started;
    }
    s->started = s->size;
}

/* Length of text without surrounding white space. */
static size_t
trimmed_length(const char *text, size_t n)
{
    while (n > 0 && isspace((unsigned char)*text))
        text++, n--;
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    return n;
}

static int
sink_begin(void *ctx, const char *name, const char *filename)
{
    struct sink *s = ctx;

    (void)filename;
    if (strcmp(name, "image") == 0) {
        if (s->seen_image)
            return nb_fail(s->r, NB_E_INVALID, "the upload has more than one image part");
        s->seen_image = true;
        s->part = PART_IMAGE;
        /* A SHA-256 checksum sent before the file spares the SHA-1 of every byte. */
        if (s->seen_checksum && trimmed_length(s->checksum, s->checksum_len) != 40)
            s->sha1 = NULL;
    } else if (strcmp(name, "checksum") == 0) {
        if (s->seen_checksum)
            return nb_fail(s->r, NB_E_INVALID, "the upload has more than one checksum field");
        s->seen_checksum = true;
        s->part = PART_CHECKSUM;
    } else {
        s->part = PART_OTHER; /* fields nobody asked for are skipped, never kept */
    }
    return 0;
}

static int
sink_data(void *ctx, const char *buf, size_t n)
{
    struct sink *s = ctx;

    if (s->part == PART_CHECKSUM) {
        if (s->checksum_len + n > CHECKSUM_MAX)
            return nb_fail_field(s->r, NB_E_INVALID, "checksum",
                                 "must be a SHA-1 or SHA-256 digest in hex");
        memcpy(s->checksum + s->checksum_len, buf, n);
        s->checksum_len += n;
        return 0;
    }
    if (s->part != PART_IMAGE)
        return 0;
    if (s->size + (int64_t)n > s->max)
        return nb_fail(s->r, NB_E_TOO_LARGE, "the image is larger than the limit of %lld bytes",
                       (long long)s->max);
    if (s->sha1 != NULL)
        EVP_DigestUpdate(s->sha1, buf, n);
    EVP_DigestUpdate(s->sha256, buf, n);
    if (s->out < 0) {
        s->size += (int64_t)n;
        return 0;
    }
    if (write_all(s->r, s->out, buf, n) < 0)
        return -1;
    s->size += (int64_t)n;
    write_behind(s);
    return 0;
}

/* Streams all of fd into the sink as the image part. */
static int
sink_file(struct sink *s, int fd)
{
    char *buf = nb_arena_alloc(s->r->arena, COPY_BUFFER);
    ssize_t n;

    s->part = PART_IMAGE;
    s->seen_image = true;
    while ((n = read(fd, buf, COPY_BUFFER)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nb_fail(s->r, NB_E_INTERNAL, "reading the upload failed: %s", strerror(errno));
        if (sink_data(s, buf, (size_t)n) < 0)
            return -1;
    }
    return 0;
}

/* The given checksum (surrounding space ignored) against the digests of what came. */
static int
verify_checksum(struct nb_req *r, const char *given, const char *sha1, const char *sha256)
{
    size_t n;
    const char *want;

    while (isspace((unsigned char)*given))
        given++;
    n = strlen(given);
    while (n > 0 && isspace((unsigned char)given[n - 1]))
        n--;
    if (n == 40 && sha1[0] != '\0')
        want = sha1;
    else if (n == 64)
        want = sha256;
    else
        return nb_fail_field(r, NB_E_INVALID, "checksum",
                             "must be a SHA-1 or SHA-256 digest in hex");
    if (strncasecmp(given, want, n) != 0)
        return nb_fail_field(r, NB_E_INVALID, "checksum",
                             "mismatch: the uploaded file's %s is %s, not %.*s",
                             n == 40 ? "SHA-1" : "SHA-256", want, (int)n, given);
    return 0;
}

/* qemu-img info --output=json of path, parsed; NULL with the error recorded when qemu-img
 * cannot read it. */
static struct json_object *
qemu_img_info(struct nb_req *r, const char *path)
{
    const char *bin = getenv("NIMBUS_QEMU_IMG");
    char *const argv[] = {"qemu-img", "info", "--output=json", (char *)path, NULL};
    posix_spawn_file_actions_t fa;
    char *out = nb_arena_alloc(r->arena, QEMU_IMG_OUTPUT_MAX + 1);
    size_t len = 0;
    int p[2], status = 0, rc;
    pid_t pid;
    ssize_t n;

    if (pipe2(p, O_CLOEXEC) < 0) {
        nb_fail(r, NB_E_INTERNAL, "pipe failed: %s", strerror(errno));
        return NULL;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    rc = posix_spawnp(&pid, bin != NULL && bin[0] != '\0' ? bin : "qemu-img", &fa, NULL, argv,
                      environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        nb_fail(r, NB_E_UNAVAILABLE, "qemu-img cannot be run: %s", strerror(rc));
        return NULL;
    }
    while ((n = read(p[0], out + len, QEMU_IMG_OUTPUT_MAX - len)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (len += (size_t)n) == QEMU_IMG_OUTPUT_MAX)
            break;
    }
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        nb_fail(r, NB_E_INVALID, "the file is not an image qemu-img can read");
        return NULL;
    }
    out[len] = '\0';
    return nb_json_own(r, json_tokener_parse(out));
}

static bool
has_iso_signature(const char *path)
{
    char sig[5];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 &&
              pread(fd, sig, sizeof(sig), ISO_SIGNATURE_OFFSET) == (ssize_t)sizeof(sig) &&
              memcmp(sig, "CD001", sizeof(sig)) == 0;

    if (fd >= 0)
        close(fd);
    return ok;
}

/* Media: an ISO 9660 image (raw to qemu-img). Disk: a self-contained qcow2 image — a backing
 * file or an external data file would let an image read files of the host. */
static int
check_format(struct nb_req *r, enum nb_image_kind k, const char *path)
{
    struct json_object *info;
    const char *format;

    if (k == NB_IMAGE_MEDIA && !has_iso_signature(path))
        return nb_fail(r, NB_E_INVALID, "the file is not an ISO 9660 image (no CD001 signature)");
    if ((info = qemu_img_info(r, path)) == NULL)
        return -1;
    format = nb_json_get_string(info, "format");
    if (format == NULL)
        return nb_fail(r, NB_E_INVALID, "qemu-img reports no format for the file");
    if (k == NB_IMAGE_MEDIA && strcmp(format, "raw") != 0)
        return nb_fail(r, NB_E_INVALID, "the file is a %s image, not an ISO 9660 image", format);
    if (k == NB_IMAGE_DISK && strcmp(format, "qcow2") != 0)
        return nb_fail(r, NB_E_INVALID, "the file is a %s image, not a qcow2 image", format);
    if (nb_json_get(info, "backing-filename") != NULL)
        return nb_fail(r, NB_E_INVALID, "qcow2 images with a backing file are not accepted");
    if (nb_json_get(nb_json_get(nb_json_get(info, "format-specific"), "data"), "data-file") != NULL)
        return nb_fail(r, NB_E_INVALID, "qcow2 images with an external data file are not accepted");
    return 0;
}

/* Measures, hashes and checks the file at path (one pass; SHA-256 only). */
static int
file_check(struct nb_req *r, enum nb_image_kind k, const char *path, const char *file,
           struct nb_image_upload *up)
{
    struct sink s = {.r = r, .out = -1, .max = nb_image_max_size()};
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    memset(up, 0, sizeof(*up));
    if (fd < 0)
        return nb_fail(r, NB_E_NOT_FOUND, "%s cannot be read: %s", file, strerror(errno));
    owned_fd(r, fd);
    s.sha256 = digest_new(r, EVP_sha256());
    if (sink_file(&s, fd) < 0 || check_format(r, k, path) < 0)
        return -1;
    if (s.size == 0)
        return nb_fail(r, NB_E_INVALID, "%s is empty", file);
    digest_hex(s.sha256, up->sha256);
    up->size = s.size;
    up->file = file;
    return 0;
}

/* Streams the bare body (the image itself) into the sink; it must be as long as declared. */
static int
sink_stream(struct sink *s)
{
    char *buf = nb_arena_alloc(s->r->arena, COPY_BUFFER);
    long n;

    s->part = PART_IMAGE;
    s->seen_image = true;
    while ((n = s->r->read_body(s->r, buf, COPY_BUFFER)) > 0)
        if (sink_data(s, buf, (size_t)n) < 0)
            return -1;
    if (n < 0 || (size_t)s->size != s->r->body_len)
        return nb_fail(s->r, NB_E_INVALID, "the upload was cut short");
    return 0;
}

int
nb_image_upload_receive(struct nb_req *r, enum nb_image_kind k, const char *id,
                        bool checksum_required, struct nb_image_upload *up)
{
    struct sink s = {.r = r, .max = nb_image_max_size()};
    const struct nb_multipart_handler h = {sink_begin, sink_data};
    const char *boundary = nb_multipart_boundary(r, r->content_type), *given, *staged;
    char sha1[41] = "";

    if (!r->body_streamed || r->body_len == 0)
        return nb_fail(r, NB_E_INVALID,
                       "no image in the request: upload it as multipart/form-data");
    if (boundary == NULL && r->content_type != NULL &&
        strncasecmp(r->content_type, "multipart/", 10) == 0)
        return nb_fail(r, NB_E_INVALID, "multipart upload without a valid boundary");
    memset(up, 0, sizeof(*up));
    up->file = nb_image_new_file(r, k, id);
    staged = nb_image_staging_path(r, up->file);
    s.out = open(staged, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (s.out < 0)
        return nb_fail(r, NB_E_INTERNAL, "the image store cannot be written: %s", strerror(errno));
    /* Gone once installed; otherwise the request leaves nothing behind (runs after the close
     * below). */
    nb_arena_defer_unlink(r->arena, staged);
    owned_fd(r, s.out);
    s.sha256 = digest_new(r, EVP_sha256());
    if (boundary != NULL) {
        s.sha1 = digest_new(r, EVP_sha1()); /* dropped if a SHA-256 checksum comes first */
        if (nb_multipart_read(r, boundary, &h, &s) < 0)
            return -1;
        s.checksum[s.checksum_len] = '\0';
        given = s.seen_checksum ? s.checksum : NULL;
    } else {
        given = nb_query_text(r, "checksum");
        if (given != NULL && trimmed_length(given, strlen(given)) == 40)
            s.sha1 = digest_new(r, EVP_sha1());
        if (sink_stream(&s) < 0)
            return -1;
    }
    if (!s.seen_image)
        return nb_fail(r, NB_E_INVALID, "the upload has no \"image\" part");
    if (s.size == 0)
        return nb_fail(r, NB_E_INVALID, "the uploaded image is empty");
    if (s.sha1 != NULL)
        digest_hex(s.sha1, sha1);
    digest_hex(s.sha256, up->sha256);
    if (given == NULL && checksum_required)
        return nb_fail_field(r, NB_E_INVALID, "checksum", "This field is required.");
    if (given != NULL && verify_checksum(r, given, sha1, up->sha256) < 0)
        return -1;
    if (fsync(s.out) < 0)
        return nb_fail(r, NB_E_INTERNAL, "writing to the image store failed: %s", strerror(errno));
    if (check_format(r, k, staged) < 0)
        return -1;
    up->size = s.size;
    return 0;
}

int
nb_image_staged_check(struct nb_req *r, enum nb_image_kind k, const char *file,
                      struct nb_image_upload *up)
{
    return file_check(r, k, nb_image_staging_path(r, file), file, up);
}

void
nb_image_install(struct nb_req *r, enum nb_image_kind k, const char *file)
{
    if (rename(nb_image_staging_path(r, file), nb_image_path(r, k, file)) < 0)
        nb_log_error(r, "image file %s cannot be put in place: %s", file, strerror(errno));
}

int
nb_image_file_check(struct nb_req *r, enum nb_image_kind k, const char *file,
                    struct nb_image_upload *up)
{
    return file_check(r, k, nb_image_path(r, k, file), file, up);
}

static bool
store_name(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);

    return name[0] != '.' && n > e && n <= 255 && strcmp(name + n - e, ext) == 0 &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int
nb_image_store_list(struct nb_req *r, enum nb_image_kind k, const char ***names, int *count)
{
    const char *dir =
        nb_arena_printf(r->arena, "%s/%s", nb_image_store_root(), nb_image_kind_name[k]);
    DIR *d = opendir(dir);
    struct dirent *e;
    int cap = 64;

    *count = 0;
    *names = nb_arena_alloc(r->arena, sizeof(**names) * (size_t)cap);
    if (d == NULL)
        return nb_fail(r, NB_E_INTERNAL, "the image store cannot be read: %s", strerror(errno));
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (!store_name(e->d_name, extension[k]) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (*count == cap) {
            const char **more = nb_arena_alloc(r->arena, sizeof(*more) * (size_t)cap * 2);

            memcpy(more, *names, sizeof(*more) * (size_t)cap);
            *names = more;
            cap *= 2;
        }
        (*names)[(*count)++] = nb_arena_strdup(r->arena, e->d_name);
    }
    closedir(d);
    return 0;
}

void
nb_image_file_remove(struct nb_req *r, enum nb_image_kind k, const char *file)
{
    if (file != NULL && file[0] != '\0')
        unlink(nb_image_path(r, k, file));
}
