"""What the XML reports (checkstyle, JUnit) share: text made valid XML 1.0, and the
document written with its declaration.

ElementTree escapes ``<``, ``&`` and quotes, but writes control characters as they are,
and XML 1.0 forbids most of them (a Dockerfile or a path may hold one): they are shown
as ``\\x1b``, as the terminal reports show them.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

# Characters XML 1.0 does not allow (section 2.2): C0 controls but tab, LF and CR;
# lone surrogates; U+FFFE and U+FFFF.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _INVALID.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def xml_document(root: ElementTree.Element) -> str:
    for element in root.iter():
        for name, value in element.attrib.items():
            element.set(name, xml_text(value))
        if element.text:
            element.text = xml_text(element.text)
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
