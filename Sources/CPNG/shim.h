// libpng's simplified API (png_image_*): it catches libpng's longjmp errors internally
// and reports them through return codes and png_image.message.
#include <stdio.h>
#include <stddef.h>
#include <png.h>
