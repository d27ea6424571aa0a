// `rm -rf` of a directory tree without following symbolic links. In C because nftw takes a C
// callback and FTW_PHYS walks links as links, not as what they point to.
#include "CAsyncBench_tree.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>

static int CAsyncBench_remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk) {
    (void)info;
    (void)flag;
    (void)walk;
    return remove(path) == 0 ? 0 : errno;
}

int CAsyncBench_remove_tree(const char *path) {
    return nftw(path, CAsyncBench_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
