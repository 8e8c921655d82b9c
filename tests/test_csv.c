// test_csv.c — src/util/csv.c: fields, quoting and its errors, trimming or not, the field
// limit, and csv_cut's in-place values.
#include "test.h"

#include <string.h>

#include "loopt/csv.h"

// The fields of s split with (max, trim), joined as "a|b|c" into out; "ERR why" or "MORE".
static const char *split(const char *s, int max, int trim, char *out, size_t cap) {
    CsvField f[8];
    const char *why = "";
    int n = csv_split(s, strlen(s), f, max, trim, &why);
    if (n < 0) { snprintf(out, cap, "ERR %s", why); return out; }
    if (n > max) { snprintf(out, cap, "MORE"); return out; }
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t k = strlen(out);
        snprintf(out + k, cap - k, "%s%.*s%s", i ? "|" : "", (int)f[i].n, f[i].p, f[i].quoted ? "(q)" : "");
    }
    return out;
}

TEST(csv_split_fields) {
    char b[256];
    EXPECT(!strcmp(split("a,b,c", 8, 1, b, sizeof b), "a|b|c"));
    EXPECT(!strcmp(split("", 8, 1, b, sizeof b), ""));                 // one empty field
    EXPECT(!strcmp(split("a,", 8, 1, b, sizeof b), "a|"));
    EXPECT(!strcmp(split(" a , b\t", 8, 1, b, sizeof b), "a|b"));     // trimmed
    EXPECT(!strcmp(split(" a , b", 8, 0, b, sizeof b), " a | b"));     // kept: a maze's open cells
    EXPECT(!strcmp(split("\"x, y\",z", 8, 1, b, sizeof b), "x, y(q)|z"));
    EXPECT(!strcmp(split(" \"q\" ,z", 8, 1, b, sizeof b), "q(q)|z"));  // blanks around the quotes
    EXPECT(!strcmp(split("a\"b,c", 8, 1, b, sizeof b), "a\"b|c"));     // a quote inside: plain text
    EXPECT(!strcmp(split("\"a\"\"b\"", 8, 1, b, sizeof b), "a\"\"b(q)"));
    EXPECT(!strcmp(split("\"a,b", 8, 1, b, sizeof b), "ERR unterminated quoted field"));
    EXPECT(!strcmp(split("\"a\"b,c", 8, 1, b, sizeof b), "ERR text after a closing quote"));
    EXPECT(!strcmp(split("a,b,c", 3, 1, b, sizeof b), "a|b|c"));
    EXPECT(!strcmp(split("a,b,c,d", 3, 1, b, sizeof b), "MORE"));
    EXPECT(!strcmp(split("a,b,c,\"d", 3, 1, b, sizeof b), "MORE"));   // stops before the 4th field
}

TEST(csv_cut_in_place) {
    char line[] = "\"a\"\"b\", c ,\"\",x\"\"y";
    CsvField f[8];
    const char *why;
    int n = csv_split(line, strlen(line), f, 8, 1, &why);
    EXPECT(n == 4);
    if (n != 4) return;
    char *v[4];
    for (int i = 3; i >= 0; i--) v[i] = csv_cut(line, &f[i]);   // any order
    EXPECT(!strcmp(v[0], "a\"b"));
    EXPECT(!strcmp(v[1], "c"));
    EXPECT(!strcmp(v[2], ""));
    EXPECT(!strcmp(v[3], "x\"\"y"));   // unquoted: its quotes are text
}
