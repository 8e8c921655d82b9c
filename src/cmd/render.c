// render.c — placeholder until its owner lands the real command.
#include "loopt/check.h"
#include "loopt/cmd.h"
int cmd_render(int argc, char **argv) { (void)argc; (void)argv; die(EXIT_RUNTIME, "render: not built yet"); }
