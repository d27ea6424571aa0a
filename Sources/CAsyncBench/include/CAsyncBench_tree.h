// Removing a directory tree (tree.c).
#ifndef CASYNCBENCH_TREE_H
#define CASYNCBENCH_TREE_H

/// `rm -rf path` without following symbolic links, removing all it can (an entry that cannot be
/// removed does not stop the walk). Returns 0 or the first errno value met.
int CAsyncBench_remove_tree(const char *path);

#endif
