from rule_helpers import findings, fixed, lines

from slimage.rules.sl3002_undefined_variable import UndefinedVariable


def test_typo_fires_with_suggestion_and_span() -> None:
    text = "FROM alpine:3.20\nENV APP_HOME=/app\nWORKDIR $APP_HOEM\n"
    found = findings(UndefinedVariable, text)
    assert [(f.location.line, f.location.column, f.location.end_column) for f in found] == [
        (3, 9, 18)
    ]
    assert "did you mean APP_HOME" in found[0].message


def test_global_arg_not_redeclared_in_stage() -> None:
    text = "ARG APP_HOME=/app\nFROM alpine:3.20\nWORKDIR ${APP_HOME}\n"
    found = findings(UndefinedVariable, text)
    assert [f.location.line for f in found] == [3]
    assert "ARG APP_HOME" in found[0].help
    text = "ARG APP_HOME=/app\nFROM alpine:3.20\nARG APP_HOME\nWORKDIR ${APP_HOME}\n"
    assert lines(UndefinedVariable, text) == []


def test_base_image_variables_pass_only_with_an_image_base() -> None:
    assert lines(UndefinedVariable, "FROM golang:1.22\nWORKDIR $GOPATH/src\n") == []
    assert lines(UndefinedVariable, "FROM scratch\nWORKDIR $GOPATH/src\n") == [2]


def test_run_cmd_and_defined_variables_pass() -> None:
    text = (
        "FROM alpine:3.20\nARG V=1\nENV A=$V\nRUN echo $UNDEFINED\n"
        "CMD echo $ALSO_UNDEFINED\nCOPY app /opt/$V/\n"
    )
    assert lines(UndefinedVariable, text) == []


def test_unsafe_fixes_declare_or_rename() -> None:
    text = "ARG APP_HOME=/app\nFROM alpine:3.20\nWORKDIR ${APP_HOME}\nCOPY . $APP_HOME/\n"
    assert fixed(UndefinedVariable, text) == text
    assert fixed(UndefinedVariable, text, unsafe=True) == (
        "ARG APP_HOME=/app\nFROM alpine:3.20\nARG APP_HOME\nWORKDIR ${APP_HOME}\n"
        "COPY . $APP_HOME/\n"
    )
    text = "FROM alpine:3.20\nENV APP_HOME=/app\nWORKDIR ${APP_HOEM:-/srv}/x/$APP_HOEM\n"
    assert fixed(UndefinedVariable, text, unsafe=True) == (
        "FROM alpine:3.20\nENV APP_HOME=/app\nWORKDIR ${APP_HOME:-/srv}/x/$APP_HOME\n"
    )
