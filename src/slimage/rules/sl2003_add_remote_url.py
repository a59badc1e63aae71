from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.findings import Severity
from slimage.rules._sources import copy_sources, is_git_source, is_url
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class AddRemoteUrl(Rule):
    """
    What it does
    ------------
    Reports `ADD https://...` (or `http://`) without `--checksum`.

    Why is this bad?
    ----------------
    The download is not verified: whatever the server (or anyone in between, for
    plain `http://`) returns ends up in the image, and the layer changes whenever
    the file does, so builds are neither reproducible nor trustworthy. `ADD` of a
    URL also keeps the file as is; an archive fetched this way is not unpacked, so
    a following `RUN tar` leaves the archive in its own layer.

    Example
    -------
    ```dockerfile
    ADD https://example.com/tool-1.2.tar.gz /tmp/
    ```

    Use instead
    -----------
    ```dockerfile
    ADD --checksum=sha256:24454f830c...  https://example.com/tool-1.2.tar.gz /tmp/
    ```
    or download, verify and unpack in one `RUN`:
    ```dockerfile
    RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool-1.2.tar.gz \\
     && echo "24454f830c...  /tmp/tool.tgz" | sha256sum -c - \\
     && tar -xzf /tmp/tool.tgz -C /usr/local && rm /tmp/tool.tgz
    ```
    """

    code = "SL2003"
    name = "add-remote-url"
    title = "Verify downloads: ADD a URL only with --checksum"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "ADD" or instruction.flag("checksum") is not None:
                continue
            sources, _ = copy_sources(instruction)
            for source in sources:
                if not is_url(source) or is_git_source(source):
                    continue
                plain = source.lower().startswith("http://")
                message = f"ADD downloads {source} without --checksum"
                if plain:
                    message += " over plain HTTP"
                yield Violation(
                    message=message,
                    span=word_span(df, instruction, source),
                    help="add `--checksum=sha256:<digest>`, or download in a RUN and verify "
                    "with `sha256sum -c`",
                )
