# syntax=docker/dockerfile:1
# slimage's own image, by slimage's own advice: the build stage has pip and the tools,
# the runtime stage only Python and the installed package, no pip, no shell, non-root.
#   docker build -t slimage .
#   docker run --rm -v "$PWD:/work" -w /work slimage lint Dockerfile
# Both bases are Debian 12 with Python 3.11: the packages built in the first stage
# (zstandard and MarkupSafe have C extensions) run in the second.
ARG BUILD_IMAGE=python:3.11-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/python3-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
# binutils for `strip`: zstandard's wheel ships its extension with debug information
# (11.6 MB; 1 MB stripped).
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && apt-get update \
 && apt-get install -y --no-install-recommends binutils
WORKDIR /src
# The metadata first: a change to the sources does not invalidate the dependencies.
COPY pyproject.toml README.md LICENSE NOTICE ./
COPY src ./src
# pip runs from a throw-away venv (Debian's own python3 has no pip module), and installs
# with --target: a plain directory the runtime's python reads through PYTHONPATH (a venv
# would point at this stage's interpreter). zstandard ships its C backend twice (C
# extension and cffi, ~12 MB each): the C one is the default, the cffi one goes, and the
# extensions lose their debug information. Bytecode is compiled here, unchecked, since
# the runtime user cannot write it.
RUN --mount=type=cache,target=/root/.cache/pip \
    python3 -m venv /tmp/pip \
 && /tmp/pip/bin/pip install --no-compile --target /opt/slimage . \
 && rm -rf /opt/slimage/bin /opt/slimage/zstandard/_cffi.*.so /opt/slimage/zstandard/backend_cffi.py \
 && find /opt/slimage -name '*.so' -exec strip --strip-unneeded {} + \
 && python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/slimage

FROM ${RUNTIME_IMAGE}
COPY --from=build /opt/slimage /opt/slimage
ENV PYTHONPATH=/opt/slimage \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/bin/python3.11", "-m", "slimage"]
CMD ["--help"]
