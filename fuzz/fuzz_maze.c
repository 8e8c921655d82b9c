// fuzz_maze.c — libFuzzer target: the maze reader (text grids, Maze-Hard CSV, PNG) on the
// input bytes as a file, skipping bad entries so the fuzzer gets past the first one.
#include "fuzz_common.h"

#include "loopt/maze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path(data, size);
    MazeSet set;
    FUZZ_GUARDED(maze_read(path, &set, 1); maze_set_free(&set));
    return 0;
}
