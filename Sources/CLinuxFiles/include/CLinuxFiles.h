#ifndef RECEPTOR_CLINUXFILES_H
#define RECEPTOR_CLINUXFILES_H

/* Linux calls glibc declares only under _GNU_SOURCE, which Swift's Glibc module is not built with. */

/* syncfs(2): writes back everything dirty on the file system fd lies on. */
int receptor_syncfs(int fd);

/* Names the calling thread (at most 15 bytes show), for top -H and perf. */
int receptor_name_this_thread(const char *name);

/* mallopt(3) from <malloc.h>, which Swift's Glibc module doesn't include: one arena for every thread, its top
   grown (and kept) `top_pad` bytes beyond the request. For short-lived commands; call before any thread starts. */
void receptor_one_malloc_arena(long top_pad);


#endif
