/* Structured logs: one JSON object per line on stderr, with the request id when there is one. */
#ifndef NB_LOG_H
#define NB_LOG_H

struct nb_req;

enum nb_log_level { NB_LOG_DEBUG, NB_LOG_INFO, NB_LOG_WARN, NB_LOG_ERROR };

void nb_log(enum nb_log_level level, const struct nb_req *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define nb_log_info(r, ...) nb_log(NB_LOG_INFO, (r), __VA_ARGS__)
#define nb_log_warn(r, ...) nb_log(NB_LOG_WARN, (r), __VA_ARGS__)
#define nb_log_error(r, ...) nb_log(NB_LOG_ERROR, (r), __VA_ARGS__)
/* The access line for a finished request. */
void nb_log_request(const struct nb_req *r, double seconds);
/* Which process writes ("master", "worker", "ctl"). */
void nb_log_set_process(const char *name);

#endif
