#!/usr/bin/env bash
# Where one waiting Swift async task's heap bytes go (docs/async-task-memory.md): builds the
# probe, then runs it for each way of waiting under glibc malloc (with the allocation-size
# histogram) and under jemalloc (RSS only: mallinfo2 does not see jemalloc's heap).
set -euo pipefail
cd "$(dirname "$0")"
out=${TMPDIR:-/tmp}/async-task-bytes
mkdir -p "$out"
gcc -O2 -c shim.c -o "$out/shim.o"
gcc -O2 -shared -fPIC hist.c -o "$out/libhist.so" -ldl
swiftc -O -parse-as-library -swift-version 5 -import-objc-header shim.h main.swift "$out/shim.o" \
    -L"$out" -lhist -Xlinker -rpath -Xlinker "$out" -o "$out/probe"
n=${1:-10000}
for mode in unsafe checked sleep; do
    "$out/probe" "$mode" "$n" histogram
    jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
    if [ -e "$jemalloc" ]; then LD_PRELOAD=$jemalloc "$out/probe" "$mode" "$n" | sed 's/^/jemalloc: /'; fi
done
