#!/bin/sh
# Compile without Maven or Gradle.
set -e
mkdir -p out
javac -d out $(find src -name '*.java')
