// csv.c — splitting one line of comma-separated values (csv.h): quoted fields with "" escapes,
// optional trimming of blanks, a bounded number of fields, malformed quoting refused.
#include "loopt/csv.h"

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

int csv_split(const char *s, size_t len, CsvField *f, int max, int trim, const char **why) {
    int n = 0;
    size_t i = 0;
    for (;;) {
        if (n == max) return max + 1;   // a field past the last one the caller has room for
        if (trim)
            while (i < len && blank(s[i])) i++;
        CsvField *x = &f[n];
        if (i < len && s[i] == '"') {
            size_t b = ++i;
            for (;; i++) {
                if (i == len) { *why = "unterminated quoted field"; return -1; }
                if (s[i] != '"') continue;
                if (i + 1 < len && s[i + 1] == '"') { i++; continue; }   // "" inside: one quote
                break;
            }
            *x = (CsvField){s + b, i - b, 1};
            for (i++; i < len && blank(s[i]); i++) {}
            if (i < len && s[i] != ',') { *why = "text after a closing quote"; return -1; }
        } else {
            size_t b = i;
            while (i < len && s[i] != ',') i++;
            size_t e = i;
            if (trim)
                while (e > b && blank(s[e - 1])) e--;
            *x = (CsvField){s + b, e - b, 0};
        }
        n++;
        if (i >= len) return n;
        i++;   // the comma
    }
}

char *csv_cut(char *line, const CsvField *f) {
    char *v = line + (f->p - line), *w = v;
    for (size_t i = 0; i < f->n; i++) {
        *w++ = v[i];
        if (f->quoted && v[i] == '"') i++;   // the second quote of a "" pair
    }
    *w = '\0';
    return v;
}
