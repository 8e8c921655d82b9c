// csv.h — splitting one line of comma-separated values: the one splitter of the Sudoku and maze
// readers (the Sudoku-Extreme and Maze-Hard CSVs) and of `loopt plot` (util/csv.c).
#ifndef LOOPT_CSV_H
#define LOOPT_CSV_H

#include <stddef.h>

// One field of a line: p[0..n) in the line's own bytes. A quoted field's span is what lies
// between its quotes, with any "" (an escaped quote) still doubled: csv_cut makes it one.
typedef struct {
    const char *p;
    size_t n;
    int quoted;
} CsvField;

// Split s[0..len) (no newline) at commas into f[0..max). A field whose first character is '"'
// (after blanks, with trim) is quoted: it runs to the closing quote, commas inside are its own,
// "" inside stands for one quote, and only blanks may follow the closing quote before the next
// comma. With trim, blanks (space, tab, CR, LF, VT, FF) around every field are dropped; without,
// those of an unquoted field are its own (a maze's open cell is a space). Returns the number of
// fields (an empty line is one empty field); max + 1 when the line has more than max (the split
// stops there, f[0..max) filled); -1 with *why set when a quoted field is not closed or text
// follows its closing quote.
int csv_split(const char *s, size_t len, CsvField *f, int max, int trim, const char **why);

// Field f of `line` (the writable buffer csv_split read) as a C string, in place: a quoted
// field's doubled quotes made single, a '\0' after its value. It writes only within the
// field's span and on the byte after it (a quote, a blank, a comma, or the line's end, which
// must be writable: a NUL-terminated line), so the fields of a line may be cut in any order.
char *csv_cut(char *line, const CsvField *f);

#endif
