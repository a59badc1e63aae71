"""Generated Dockerfiles: lint never crashes, and every fix keeps the file valid.

The corpus test covers real files; this one mixes the constructs that trip autofixers
(continuations, comments inside RUN, multi-line ENV, heredocs, exec form, escapes)
in combinations no corpus file has. BuildKit's own parser (the ``dockerfile`` package)
judges every fixed result.
"""

from __future__ import annotations

import pytest
from fix_safety import run_all_fixes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dockerfile

BASES = [
    "FROM ubuntu:22.04",
    "FROM debian AS build",
    "FROM node:20",
    "FROM python:3.12-slim AS app",
    "FROM golang:1.22 AS builder",
    "FROM alpine",
    "FROM scratch",
    "FROM --platform=$BUILDPLATFORM rust:1 AS rs",
]
LINES = [
    "RUN apt-get update",
    "RUN apt-get install -y curl git build-essential",
    "RUN apt-get update && apt-get install -y \\\n    curl \\\n"
    "    # a comment inside\n    ca-certificates",
    "RUN apk add --update python3 py3-pip",
    "RUN pip install -r requirements.txt",
    "RUN npm install && npm run build",
    "RUN yarn install",
    "RUN yum install -y gcc && yum clean all",
    "RUN go build -o /app ./cmd/app",
    "RUN cargo build --release",
    "RUN curl -fsSL https://example.com/install.sh | sh",
    "RUN rm -rf /tmp/*",
    "RUN sudo chmod 777 /app",
    'RUN ["apt-get", "install", "-y", "curl"]',
    "RUN <<EOF\napt-get update\napt-get install -y curl\nEOF",
    "RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y vim",
    "ENV PHP_EXTRA_CONFIGURE_ARGS \\\n    --enable-fpm \\\n    --with-fpm-user=www-data",
    "ENV A=1 \\\n    B=2",
    "ARG VERSION=1.0",
    "ARG TOKEN",
    "ENV API_KEY=changeme",
    "ADD . /app",
    "ADD https://example.com/file.tar.gz /tmp/",
    "COPY . .",
    "COPY package.json package-lock.json ./",
    "COPY --from=build /out /usr/local/bin/",
    "COPY <<EOF /etc/motd\nhello\nEOF",
    "WORKDIR app",
    "WORKDIR /srv",
    "USER root",
    "USER 10001",
    "EXPOSE 22 8080",
    "MAINTAINER Someone <a@b.c>",
    "CMD node server.js",
    'CMD ["python", "app.py"]',
    "ENTRYPOINT /entrypoint.sh",
    "HEALTHCHECK CMD curl -f http://localhost/ || exit 1",
    'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
    "# slimage: ignore=SL1009",
    "# hadolint ignore=DL3008",
    "# just a comment",
    "",
    "ONBUILD RUN apt-get update",
    "LABEL a=b \\\n      c=d",
]

dockerfiles = st.builds(
    lambda stages: "\n".join(line for stage in stages for line in stage) + "\n",
    st.lists(
        st.builds(
            lambda base, body: [base, *body],
            st.sampled_from(BASES),
            st.lists(st.sampled_from(LINES), max_size=8),
        ),
        min_size=1,
        max_size=3,
    ),
)


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(dockerfiles)
def test_fixes_keep_generated_files_valid(text: str) -> None:
    dockerfile.parse_string(text)  # the generator only makes valid files
    run = run_all_fixes(text)
    assert run.problem is None, f"{run.problem}\n{text}\n---\n{run.text}"
