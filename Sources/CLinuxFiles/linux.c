#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>
#include "CLinuxFiles.h"

int receptor_syncfs(int fd) { return syncfs(fd); }

int receptor_name_this_thread(const char *name) { return pthread_setname_np(pthread_self(), name); }


void receptor_one_malloc_arena(long top_pad) {
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TOP_PAD, (int)top_pad);
}
