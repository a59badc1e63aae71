#!/bin/sh
# Builds out/server.jar with the JDK alone: no Maven, no Gradle.
set -eu
rm -rf out/classes
mkdir -p out/classes
javac --release 17 -d out/classes $(find src/main/java -name '*.java')
jar --create --file out/server.jar --main-class example.web.Server -C out/classes .
