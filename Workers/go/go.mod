module asyncbench/worker

go 1.19
