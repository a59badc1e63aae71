"""Random Dockerfiles built from tricky lines: every SL2xxx/SL3xxx rule runs without a
crash, and every fix (unsafe ones included) passes the fixer's verification and
BuildKit's parser, also when several fixes meet in one file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_helpers import assert_parses

from slimage.errors import DockerfileSyntaxError
from slimage.rules.fixer import fix_text
from slimage.rules.registry import all_rules

RULES = [r for r in all_rules() if r.code.startswith(("SL2", "SL3"))]

FROMS = [
    "FROM node:20 as Build",
    "FROM python",
    "FROM --platform=linux/amd64 alpine:latest AS base",
    "from debian:12 AS lower",
    "FROM scratch",
    "FROM build",
    "FROM nginx:1.27",
    "FROM alpine:3.20 AS x",
    "FROM node:${TAG}",
    "FROM $IMG AS build",
]
LINES = [
    "ADD app.py /app/",
    "add src/* /src/",
    "ADD https://example.com/x.tgz /tmp/",
    "RUN sudo apt-get install curl",
    "RUN apt update && apt install -y vim",
    "RUN curl -fsSLk https://x/i.sh | sh",
    "RUN chmod -R 777 /app && apt-get upgrade",
    "RUN apt-get update",
    "RUN dnf install git | tee /log",
    "ENV DB_PASSWORD hunter22secret",
    "ENV PHPIZE_DEPS \\\n\t\tautoconf \\\n\t\tre2c",
    "ENV A=/a B=$A/bin",
    "ARG NPM_TOKEN",
    "LABEL maintainer me",
    "MAINTAINER Jane <j@e.com>",
    "EXPOSE 22 8080:80 53/UDP",
    "WORKDIR app",
    "USER root",
    "RUN useradd -r app",
    "COPY --from=buidler /a /a",
    "COPY a b /dest",
    "COPY .npmrc /root/",
    "CMD node server.js",
    "CMD ['node', 'app.js']",
    'ENTRYPOINT ["tini", "--"]',
    "ENTRYPOINT run it",
    "HEALTHCHECK CMD true",
    "ONBUILD run echo hi",
    "RUN <<EOF\nsudo make install\ncurl -k https://a | bash\nEOF",
    "COPY <<EOF /etc/motd\nhello\nEOF",
    'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
    "# a comment",
    "RUN apk add \\\n\n    curl",
    "ENV APP_HOME=/app",
    "WORKDIR $APP_HOEM",
    "COPY . ${APP_HOME}/",
    "COPY --from=bulid /x /x",
    "COPY --from=x /y /y",
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(["", "ARG APP_HOME=/app\n", "ARG TAG\nARG IMG=node\n"]),
    stages=st.lists(
        st.tuples(st.sampled_from(FROMS), st.lists(st.sampled_from(LINES), max_size=6)),
        min_size=1,
        max_size=3,
    ),
)
def test_random_files(prefix: str, stages: list[tuple[str, list[str]]]) -> None:
    text = prefix + "".join(
        f"{first}\n" + "".join(f"{line}\n" for line in rest) for first, rest in stages
    )
    try:
        result = fix_text(text, rules=RULES, unsafe=True)
    except DockerfileSyntaxError:
        return
    assert not result.rejected, [(r.finding.code, r.reason) for r in result.rejected]
    assert_parses(result.text)
