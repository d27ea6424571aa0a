// `rm -rf` of a directory tree without following symbolic links. In C because nftw takes a C
// callback and FTW_PHYS walks links as links, not as what they point to.
#include "CAsyncBench_tree.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>

// The first error of the walk in progress on this thread (nftw's callback takes no context).
static _Thread_local int CAsyncBench_remove_error;

// Removes one entry and goes on whatever happens: what can be removed is, the first error is kept.
static int CAsyncBench_remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk) {
    (void)info;
    (void)flag;
    (void)walk;
    if (remove(path) != 0 && CAsyncBench_remove_error == 0) CAsyncBench_remove_error = errno;
    return 0;
}

int CAsyncBench_remove_tree(const char *path) {
    CAsyncBench_remove_error = 0;
    if (nftw(path, CAsyncBench_remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && CAsyncBench_remove_error == 0) {
        CAsyncBench_remove_error = errno;
    }
    return CAsyncBench_remove_error;
}
