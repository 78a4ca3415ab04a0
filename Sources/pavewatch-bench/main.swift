// pavewatch-bench: placeholder until the benchmark stages land.
print("{}")
