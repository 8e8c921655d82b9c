// fuzz_sudoku.c — libFuzzer target: the Sudoku reader (81-char lines, 9-line grids,
// puzzle,solution CSV, Sudoku-Extreme CSV) on the input bytes as a file, skipping bad entries
// so the fuzzer gets past the first one, then the `loopt check` variant that reads answers.
#include "fuzz_common.h"

#include "loopt/sudoku.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path(data, size);
    SudokuSet set;
    FUZZ_GUARDED(sudoku_read(path, &set, 1); sudoku_set_free(&set));
    FUZZ_GUARDED(sudoku_read_pairs(path, &set, 1); sudoku_set_free(&set));
    return 0;
}
