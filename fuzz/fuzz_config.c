// fuzz_config.c — libFuzzer target: config_from_json on the input bytes (as the JSON config
// stored in a checkpoint's metadata). A config that parses must also survive a round trip
// through config_to_json unchanged: a checkpoint must always be able to reload its own config.
#include "fuzz_common.h"

#include <string.h>

#include "loopt/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    Config c;
    config_defaults(&c);
    volatile int parsed = 0;
    FUZZ_GUARDED(config_from_json(&c, text, "fuzz"); parsed = 1);
    free(text);
    if (!parsed) return 0;

    char *json = config_to_json(&c);
    Config back;
    config_defaults(&back);
    volatile int reparsed = 0;
    FUZZ_GUARDED(config_from_json(&back, json, "round trip"); reparsed = 1);
    if (!reparsed) {
        fprintf(stderr, "config round trip failed on:\n%s\n", json);
        abort();
    }
    char *again = config_to_json(&back);
    if (strcmp(json, again) != 0) {
        fprintf(stderr, "config round trip changed the config:\n%s\n---\n%s\n", json, again);
        abort();
    }
    free(json);
    free(again);
    return 0;
}
