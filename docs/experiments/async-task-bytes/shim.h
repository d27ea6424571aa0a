long shim_heap_in_use(void);
void shim_count(int v);
void shim_dump(long n);
