#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>
#include "CLinuxFiles.h"

int receptor_syncfs(int fd) { return syncfs(fd); }

int receptor_name_this_thread(const char *name) { return pthread_setname_np(pthread_self(), name); }

