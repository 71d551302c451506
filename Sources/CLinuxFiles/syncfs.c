#define _GNU_SOURCE
#include <unistd.h>
#include "CLinuxFiles.h"

int receptor_syncfs(int fd) { return syncfs(fd); }
