// libFuzzer's driver entry point (compiler-rt, FuzzerInterface.h), called from
// the fuzz targets' own `main`: SwiftPM links an executable target's `main` to
// `<module>_main`, so the targets cannot rely on libFuzzer's `main`.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
