#!/bin/sh
# Fuzz the Metadata parsers with libFuzzer + AddressSanitizer, seeded with the test fixtures. Usage: Fuzz/run-metadata-fuzz.sh [libFuzzer flags, e.g. -max_total_time=600]
set -e; cd "$(dirname "$0")/.."; mkdir -p .build/fuzz/corpus-metadata; swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name Metadata Sources/Metadata/*.swift Fuzz/MetadataFuzz/*.swift -o .build/fuzz/metadata-fuzz && exec .build/fuzz/metadata-fuzz -max_len=16384 -timeout=10 "$@" .build/fuzz/corpus-metadata Tests/MetadataTests/Fixtures
