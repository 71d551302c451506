/*
 * The file-system work durable Maildir delivery cannot avoid, with nothing else: per message, create a
 * scratch file in tmp/, write it, close it; per round of ROUND messages, one syncfs; then give each message its
 * final name in new/ (link) and remove its scratch name (unlink). This is the listener's delivery path
 * (GroupCommit, MessageStore) without Swift, sockets or threads: the floor under the listener's per-message
 * file-system cost. Run through bench/fs-floor.sh.
 *
 *   fs-floor MAILDIR MESSAGES SIZE ROUND
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void name(char *out, size_t size, int i, int scratch) {
    /* As long as the listener's names: time, microseconds, pid, a tag from the message id, the host. */
    snprintf(out, size, "1796000000.M%06dP12345Q0123456789abcdef0123456789abcdef.benchhost%s", i,
             scratch ? ",RS=1200,RC=0123abcd" : "");
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: fs-floor MAILDIR MESSAGES SIZE ROUND\n"); return 2; }
    const char *maildir = argv[1];
    int messages = atoi(argv[2]), size = atoi(argv[3]), round = atoi(argv[4]);
    char path[4096];
    snprintf(path, sizeof path, "%s/tmp", maildir);
    int tmp = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    snprintf(path, sizeof path, "%s/new", maildir);
    int new = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tmp < 0 || new < 0 || messages <= 0 || size <= 0 || round <= 0) { perror("fs-floor"); return 1; }
    char *body = malloc(size);
    memset(body, 'x', size);
    double create = 0, write_close = 0, sync = 0, link_ = 0, unlink_ = 0;
    double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
    for (int first = 0; first < messages; first += round) {
        int last = first + round < messages ? first + round : messages;
        char scratch[256], final[256];
        for (int i = first; i < last; i++) {
            name(scratch, sizeof scratch, i, 1);
            double t0 = seconds(CLOCK_MONOTONIC);
            int fd = openat(tmp, scratch, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            double t1 = seconds(CLOCK_MONOTONIC);
            if (fd < 0 || write(fd, body, size) != size || close(fd) != 0) { perror("fs-floor: write"); return 1; }
            create += t1 - t0;
            write_close += seconds(CLOCK_MONOTONIC) - t1;
        }
        double t0 = seconds(CLOCK_MONOTONIC);
        if (syncfs(tmp) != 0) { perror("fs-floor: syncfs"); return 1; }
        sync += seconds(CLOCK_MONOTONIC) - t0;
        for (int i = first; i < last; i++) {
            name(scratch, sizeof scratch, i, 1);
            name(final, sizeof final, i, 0);
            double t1 = seconds(CLOCK_MONOTONIC);
            if (linkat(tmp, scratch, new, final, 0) != 0) { perror("fs-floor: link"); return 1; }
            double t2 = seconds(CLOCK_MONOTONIC);
            if (unlinkat(tmp, scratch, 0) != 0) { perror("fs-floor: unlink"); return 1; }
            link_ += t2 - t1;
            unlink_ += seconds(CLOCK_MONOTONIC) - t2;
        }
    }
    double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall = seconds(CLOCK_MONOTONIC) - wall0;
    double us = 1e6 / messages;
    printf("%d messages of %d bytes, rounds of %d: %.0f msg/s on one thread; CPU %.1f us/msg in this process\n",
           messages, size, round, messages / wall, cpu * us);
    printf("  wall per message: create %.1f, write+close %.1f, link %.1f, unlink %.1f, syncfs %.1f us\n",
           create * us, write_close * us, link_ * us, unlink_ * us, sync * us);
    return 0;
}
