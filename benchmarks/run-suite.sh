#!/bin/sh
# Builds the benchmark jar from a clean target and runs the whole suite, writing docs/performance.md.
# Usage: benchmarks/run-suite.sh [--quick] [--rounds N] [--only 0,3,7]   (run from the repository root)
# Takes about 10 minutes on a 2-core machine; --quick is a smoke run of about 3 minutes.
set -e
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
rm -rf benchmarks/target
./mvnw -q -pl benchmarks,sample-system/user-service -am package -DskipTests
exec "$JAVA_HOME/bin/java" -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.suite.Suite \
     --write docs/performance.md "$@"
