/*
 * The file-system work of the other durable design, journal first (Exchange's queue database commits to a
 * transaction log before the 250), with nothing else: per message, append it to one preallocated journal
 * file; per round of ROUND messages, one fdatasync (the 250s would go here); then deliver the round to
 * Maildir off the 250's path (create in tmp/, write, close, rename into new/), with one syncfs per
 * CHECKPOINT messages (after which the journal's records could be reused). Compare with fs-floor.c, the
 * group commit Receptor builds. Run through bench/fs-floor.sh.
 *
 *   journal-floor MAILDIR JOURNAL MESSAGES SIZE ROUND CHECKPOINT
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

static void fail(const char *what) { perror(what); exit(1); }

int main(int argc, char **argv) {
    if (argc != 7) { fprintf(stderr, "usage: journal-floor MAILDIR JOURNAL MESSAGES SIZE ROUND CHECKPOINT\n"); return 2; }
    const char *maildir = argv[1], *journal_path = argv[2];
    int messages = atoi(argv[3]), size = atoi(argv[4]), round = atoi(argv[5]), checkpoint = atoi(argv[6]);
    if (messages <= 0 || size <= 0 || round <= 0 || checkpoint <= 0) { fprintf(stderr, "journal-floor: bad numbers\n"); return 2; }
    char path[4096];
    snprintf(path, sizeof path, "%s/tmp", maildir);
    int tmp = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    snprintf(path, sizeof path, "%s/new", maildir);
    int new = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int journal = open(journal_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (tmp < 0 || new < 0 || journal < 0) fail("journal-floor: open");
    /* A record: the message and 64 bytes of envelope and checksum. Written out once beforehand, so that an
     * append allocates nothing and fdatasync has only data blocks to write. */
    int record = size + 64;
    long journal_size = (long)messages * record + (1 << 20);
    char *zeros = calloc(1, 1 << 20), *body = malloc(record);
    if (!zeros || !body) fail("journal-floor: malloc");
    memset(body, 'x', record);
    for (long written = 0; written < journal_size; written += 1 << 20)
        if (write(journal, zeros, 1 << 20) != 1 << 20) fail("journal-floor: preallocate");
    if (fsync(journal) != 0 || lseek(journal, 0, SEEK_SET) != 0) fail("journal-floor: preallocate");
    double append = 0, datasync = 0, deliver = 0, sync = 0;
    double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
    int since_checkpoint = 0;
    for (int first = 0; first < messages; first += round) {
        int last = first + round < messages ? first + round : messages;
        double t0 = seconds(CLOCK_MONOTONIC);
        for (int i = first; i < last; i++)
            if (write(journal, body, record) != record) fail("journal-floor: append");
        double t1 = seconds(CLOCK_MONOTONIC);
        if (fdatasync(journal) != 0) fail("journal-floor: fdatasync");
        double t2 = seconds(CLOCK_MONOTONIC);
        for (int i = first; i < last; i++) {
            char name[128];
            snprintf(name, sizeof name, "1796000000.M%06dP12345Q0123456789abcdef0123456789abcdef.benchhost", i);
            int fd = openat(tmp, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0 || write(fd, body, size) != size || close(fd) != 0) fail("journal-floor: write");
            if (renameat(tmp, name, new, name) != 0) fail("journal-floor: rename");
        }
        double t3 = seconds(CLOCK_MONOTONIC);
        since_checkpoint += last - first;
        if (since_checkpoint >= checkpoint) {
            if (syncfs(tmp) != 0) fail("journal-floor: syncfs");
            since_checkpoint = 0;
        }
        double t4 = seconds(CLOCK_MONOTONIC);
        append += t1 - t0; datasync += t2 - t1; deliver += t3 - t2; sync += t4 - t3;
    }
    double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall = seconds(CLOCK_MONOTONIC) - wall0;
    double us = 1e6 / messages;
    int rounds = (messages + round - 1) / round;
    printf("journal first: %d messages of %d bytes, rounds of %d, a checkpoint per %d: %.0f msg/s on one thread; CPU %.1f us/msg in this process\n",
           messages, size, round, checkpoint, messages / wall, cpu * us);
    printf("  wall per message: append %.1f, fdatasync %.1f (%.0f us a round: what a 250 waits for), Maildir %.1f, checkpoint syncfs %.1f us\n",
           append * us, datasync * us, datasync / rounds * 1e6, deliver * us, sync * us);
    return 0;
}
