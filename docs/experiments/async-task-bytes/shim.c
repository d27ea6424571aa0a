#include <malloc.h>
long shim_heap_in_use(void) { struct mallinfo2 m = mallinfo2(); return (long)(m.uordblks + m.hblkhd); }
