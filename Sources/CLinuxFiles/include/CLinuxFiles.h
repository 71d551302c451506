#ifndef RECEPTOR_CLINUXFILES_H
#define RECEPTOR_CLINUXFILES_H

/// syncfs(2): glibc declares it only under _GNU_SOURCE, which Swift's Glibc module is not built with.
int receptor_syncfs(int fd);

#endif
