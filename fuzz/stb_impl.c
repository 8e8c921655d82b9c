// stb_impl.c — the fuzz build compiles stb_image itself (instead of linking Debian's
// libstb.so) so that libFuzzer's coverage and ASan reach inside the PNG decoder. It gets
// AddressSanitizer but not UBSan: stb_image has benign shifts UBSan would stop on, and a bug
// there is not ours to fix — a memory error still is worth knowing about.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_write.h>
