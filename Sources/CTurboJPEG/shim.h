// TurboJPEG 2.1: an API that reports errors by return code (no longjmp reaches Swift).
#include <stdio.h>
#include <stddef.h>
#include <turbojpeg.h>
