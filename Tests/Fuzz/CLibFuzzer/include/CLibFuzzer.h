#ifndef SPDM_FLEET_CLIBFUZZER_H
#define SPDM_FLEET_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer). SwiftPM links every executable
   with main aliased to <Module>_main, so each fuzz target defines that symbol and hands over to
   this driver, which parses libFuzzer's flags and calls the target's LLVMFuzzerTestOneInput. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*user_callback)(const uint8_t *data, size_t size));

#endif
