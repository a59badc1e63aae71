"""Every SL2xxx/SL3xxx rule on odd but valid Dockerfiles: no crash, and every fix
(unsafe ones included) passes the engine's verification and BuildKit's parser."""

from __future__ import annotations

import pytest
from rule_helpers import assert_parses

from slimage.rules.engine import lint
from slimage.rules.fixer import fix_text
from slimage.rules.registry import all_rules

RULES = [r for r in all_rules() if r.code.startswith(("SL2", "SL3"))]

ODD_FILES = {
    "args-only-before-from": "ARG A\nARG B=1\nFROM scratch\n",
    "no-stage-at-all": "# syntax=docker/dockerfile:1\nARG A=1\n",
    "stage-name-cycle-like": "FROM a:1 AS x\nFROM x AS y\nFROM y AS x\nCOPY --from=x /a /a\n",
    "onbuild": "FROM alpine:3.20\nONBUILD ADD app.py /app/\nONBUILD run echo $X\n",
    "escape-backtick": "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
    "ENV GOPATH C:\\go\nRUN echo `\n  hi\nWORKDIR C:\\app\n",
    "heredocs": "FROM alpine:3.20\nRUN <<EOF\nsudo chmod 777 /x\ncurl -k https://a | sh\nEOF\n"
    "COPY <<A <<B /etc/\na\nA\nb\nB\nADD <<EOF /x\ny\nEOF\n",
    "json-forms": 'FROM alpine:3.20\nRUN ["sh", "-c", "apt-get upgrade -y"]\n'
    'CMD ["a"]\nENTRYPOINT ["b"]\nSHELL ["/bin/ash", "-c"]\nVOLUME ["/data"]\n'
    'COPY ["a b", "c", "/d"]\n',
    "continuations-and-comments": "FROM alpine:3.20 as Build\nENV A \\\n# note\n    b\n"
    "RUN apk add \\\n\n  curl\nMAINTAINER me <a@b>\nMAINTAINER x\nCMD echo hi\nCMD run it\n",
    "variables-everywhere": "ARG IMG=alpine\nARG TAG\nFROM ${IMG}:${TAG:-3.20} AS $IMG\n"
    "USER ${NOBODY}\nWORKDIR $DIR\nEXPOSE $PORT ${P2}/udp\nCOPY --from=$IMG a $D\n",
    "crlf": "FROM alpine:3.20\r\nADD app.py /app/\r\nEXPOSE 80/TCP\r\nCMD node app.js\r\n",
    "unicode": 'FROM alpine:3.20\nLABEL description="ünïcødé ✓"\nMAINTAINER Jörg Ünicode\n'
    "CMD ['écho', 'ça']\n",
    "empty-stage-and-target": "FROM alpine:3.20 AS a\nFROM a AS b\nFROM b\nUSER 0:0\n",
    "copy-from-index": "FROM golang:1.22\nFROM scratch\nCOPY --from=0 /a /a\nCOPY --from=5 /b /b\n",
}


@pytest.mark.parametrize("name", sorted(ODD_FILES))
def test_rules_do_not_crash_and_fixes_verify(name: str) -> None:
    text = ODD_FILES[name]
    lint(text, rules=RULES)
    result = fix_text(text, rules=RULES, unsafe=True)
    assert not result.rejected, [(r.finding.code, r.reason) for r in result.rejected]
    assert_parses(result.text)
