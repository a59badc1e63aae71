"""Every error slimage expects to meet, as one tree.

Each error carries an ``exit_code`` and a one-line message; the CLI prints
``slimage: error: <message>`` on stderr and exits with that code. Callers may
catch at any level of the tree::

    SlimageError                      exit 1 (base; not raised directly)
    ├── UsageError                    exit 2  bad arguments or option values
    ├── ConfigError                   exit 2  a broken [tool.slimage] / .slimage.toml
    ├── InputError                    exit 3  an input file cannot be used
    │   ├── InputNotFound             exit 3  missing path
    │   ├── DockerfileSyntaxError     exit 3  FILE:LINE:COL: error: message
    │   └── IgnoreFileError           exit 3  a .dockerignore that cannot be used
    ├── ImageSourceError              exit 3  an image cannot be read
    │   ├── ImageNotFound
    │   ├── ImageFormatError          truncated, hostile or inconsistent image data
    │   ├── DigestMismatch
    │   ├── UnsupportedMediaType
    │   ├── RegistryAuthError
    │   └── DaemonUnavailable
    └── ToolError                     exit 5  an external tool (builder, container
        │                                     runtime) is missing or failed
        └── MissingExtra              exit 5  an optional dependency is not installed;
                                              the message names the extra to install

An unexpected exception is a bug: exit 4 (EXIT_INTERNAL), never 1, so CI can tell a
crash from findings.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_INTERNAL = 4
EXIT_TOOL = 5


class SlimageError(Exception):
    """Base of every expected failure: a one-line message and an exit code."""

    exit_code: int = EXIT_FINDINGS

    def __init__(self, message: str) -> None:
        # One line only: the CLI prints it after "slimage: error: ".
        super().__init__(" ".join(message.splitlines()) if "\n" in message else message)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class UsageError(SlimageError):
    exit_code = EXIT_USAGE


class ConfigError(SlimageError):
    exit_code = EXIT_USAGE


class InputError(SlimageError):
    exit_code = EXIT_INPUT


class InputNotFound(InputError):
    pass


class DockerfileSyntaxError(InputError):
    """A Dockerfile that BuildKit would reject, with its position."""

    def __init__(self, message: str, *, path: str = "Dockerfile", line: int = 0, column: int = 0):
        self.path = path
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(f"{path}:{line}:{column}: error: {message}")

    def with_path(self, path: str) -> DockerfileSyntaxError:
        """The same error, naming the file it came from."""
        return DockerfileSyntaxError(self.reason, path=path, line=self.line, column=self.column)


class IgnoreFileError(InputError):
    pass


class ImageSourceError(SlimageError):
    exit_code = EXIT_INPUT


class ImageNotFound(ImageSourceError):
    pass


class ImageFormatError(ImageSourceError):
    pass


class DigestMismatch(ImageFormatError):
    pass


class UnsupportedMediaType(ImageFormatError):
    pass


class RegistryAuthError(ImageSourceError):
    pass


class DaemonUnavailable(ImageSourceError):
    pass


class ToolError(SlimageError):
    """An external tool slimage drives (a builder, a container runtime) is missing or
    failed; the message names the tool and, for a build, the failing step."""

    exit_code = EXIT_TOOL


class MissingExtra(ToolError):
    """A feature needs an optional dependency that is not installed: the message says
    which extra brings it (``pip install 'slimage[docker]'``)."""
