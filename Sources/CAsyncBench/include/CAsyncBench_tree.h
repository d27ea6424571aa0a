// Removing a directory tree (tree.c).
#ifndef CASYNCBENCH_TREE_H
#define CASYNCBENCH_TREE_H

/// `rm -rf path` without following symbolic links. Returns 0 or an errno value.
int CAsyncBench_remove_tree(const char *path);

#endif
