// Exposes the system zlib to Swift (inflate for gzip data files, deflate for PNG).
#include <zlib.h>
