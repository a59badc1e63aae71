"""The few Go standard-library behaviours that `.dockerignore` handling depends on.

Docker reads ignore files and matches patterns with Go code (moby/patternmatcher), so
exact compatibility needs Go's idea of whitespace (``strings.TrimSpace``), of a clean
path (``path/filepath.Clean`` on Unix) and of a well-formed glob
(``path/filepath.Match`` syntax errors). These are re-implemented here from the Go
documentation and behaviour; nothing else in slimage should need them.
"""

from __future__ import annotations

# unicode.IsSpace: the Latin-1 spaces plus the White_Space property. Python's
# str.isspace() differs (it also treats U+001C..U+001F as spaces), so the set is explicit.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)


def clean_path(path: str) -> str:
    """filepath.Clean for '/'-separated paths (Rob Pike's lexical rules).

    Collapses repeated slashes, drops ``.`` elements, removes ``..`` with the element
    before it, drops ``..`` at the start of a rooted path, and removes a trailing slash.
    The empty path becomes ``.``.
    """
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


def dir_name(path: str) -> str:
    """filepath.Dir: everything before the last slash, cleaned."""
    return clean_path(path[: path.rfind("/") + 1])


def _is_lone_surrogate(char: str) -> bool:
    # Undecodable bytes come through os.fsdecode / surrogateescape as U+DC80..U+DCFF;
    # Go sees those as invalid UTF-8 (utf8.RuneError with width 1).
    return "\udc80" <= char <= "\udcff"


def _scan_chunk(pattern: str) -> tuple[str, str]:
    """filepath.scanChunk: strip leading stars, cut at the next unbracketed star."""
    pattern = pattern.lstrip("*")
    in_range = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 < len(pattern):
                index += 1
        elif char == "[":
            in_range = True
        elif char == "]":
            in_range = False
        elif char == "*" and not in_range:
            break
        index += 1
    return pattern[:index], pattern[index:]


def _class_char(chunk: str) -> str | None:
    """filepath.getEsc: the rest of the chunk after one class character, or None if bad."""
    if not chunk or chunk[0] in "-]":
        return None
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            return None
    if _is_lone_surrogate(chunk[0]):
        return None
    rest = chunk[1:]
    if not rest:
        return None
    return rest


def _chunk_is_well_formed(chunk: str) -> bool:
    """The syntax checks filepath.matchChunk makes while it walks a chunk."""
    while chunk:
        head = chunk[0]
        if head == "[":
            chunk = chunk[1:]
            if chunk.startswith("^"):
                chunk = chunk[1:]
            ranges = 0
            while True:
                if chunk.startswith("]") and ranges > 0:
                    chunk = chunk[1:]
                    break
                rest = _class_char(chunk)
                if rest is None:
                    return False
                chunk = rest
                if chunk[0] == "-":
                    rest = _class_char(chunk[1:])
                    if rest is None:
                        return False
                    chunk = rest
                ranges += 1
        elif head == "\\":
            chunk = chunk[1:]
            if not chunk:
                return False
            chunk = chunk[1:]
        else:
            chunk = chunk[1:]
    return True


def glob_is_well_formed(pattern: str) -> bool:
    """Whether filepath.Match(pattern, ".") returns no error (Unix rules).

    Go's Match checks every chunk of the pattern for syntax, whatever the name, so
    this is a pure syntax check: unclosed or empty ``[...]``, a range with a missing
    end, and a trailing backslash are errors.
    """
    rest = pattern
    while rest:
        chunk, rest = _scan_chunk(rest)
        if not _chunk_is_well_formed(chunk):
            return False
    return True


def has_glob(pattern: str) -> bool:
    """BuildKit's containsWildcards: an unescaped ``*``, ``?`` or ``[``."""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char in "*?[":
            return True
        index += 1
    return False


def glob_regexp(pattern: str) -> str:
    """Python regexp text for filepath.Match(pattern, name) on '/'-separated names.

    ``*`` and ``?`` never match ``/``; ``[...]`` (with ``^`` negation and ranges) and
    ``\\`` escapes work as in Go. The pattern must be well formed
    (:func:`glob_is_well_formed`).
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and index < len(pattern):
            out.append(_escape_char(pattern[index]))
            index += 1
        elif char == "[":
            negated = index < len(pattern) and pattern[index] == "^"
            if negated:
                index += 1
            items: list[str] = []
            while index < len(pattern) and (pattern[index] != "]" or not items):
                low, index = _glob_class_char(pattern, index)
                high = low
                if index < len(pattern) and pattern[index] == "-":
                    high, index = _glob_class_char(pattern, index + 1)
                items.append(
                    _escape_char(low)
                    if low == high
                    else f"{_escape_char(low)}-{_escape_char(high)}"
                    if low < high
                    else "(?!)"
                )
            index += 1  # the closing bracket
            ranges = [item for item in items if item != "(?!)"]
            body = "".join(ranges)
            if negated:
                out.append(f"[^{body}]" if body else "(?s:.)")
            else:
                out.append(f"[{body}]" if body else "(?!)")
        else:
            out.append(_escape_char(char))
    return "".join(out) + r"\Z"


def _escape_char(char: str) -> str:
    return f"\\U{ord(char):08x}"


def _glob_class_char(pattern: str, index: int) -> tuple[str, int]:
    if pattern[index] == "\\":
        index += 1
    return pattern[index], index + 1
