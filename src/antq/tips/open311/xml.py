"""GeoReport v2 XML documents built from the same data as the JSON answers.

The element names are the specification's: a list is wrapped in its plural element and each
item gets the singular one (``<services><service>``, ``<service_requests><request>``,
``<errors><error>``). ElementTree escapes ``<``, ``&`` and quotes; characters that XML 1.0
cannot carry at all (control characters a client may have sent in a description) are
dropped so the document always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # building only: nothing untrusted is parsed here
from typing import Any

# Element name of the items of each list, by the name of the list.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = xml_text(value)


def document(root: str, data: Any) -> bytes:
    """``data`` (dicts, lists, scalars) as a UTF-8 XML document whose root is ``root``."""
    element = ET.Element(root)
    _fill(element, data)
    return (DECLARATION + ET.tostring(element, encoding="unicode")).encode()
