#ifndef RECEPTOR_CCHECKSUM_H
#define RECEPTOR_CCHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C (Castagnoli), as iSCSI and ext4 use it: receptor_crc32c(0, "123456789", 9) == 0xE3069283.
   Chains like zlib's crc32: pass the previous result to continue over the next part. Uses the SSE 4.2
   instruction where the CPU has it (several GB/s), a table elsewhere. */
uint32_t receptor_crc32c(uint32_t crc, const void *data, size_t length);

/* The same with the table only, whatever the CPU (for tests). */
uint32_t receptor_crc32c_portable(uint32_t crc, const void *data, size_t length);

#endif
