// config.c — placeholder until its owner lands the real command.
#include "loopt/check.h"
#include "loopt/cmd.h"
int cmd_config(int argc, char **argv) { (void)argc; (void)argv; die(EXIT_RUNTIME, "config: not built yet"); }
