"""EPCIS 2.0 XML into the JSON-LD form capture takes (pure: no database).

The parser is defended: no DTD (a DOCTYPE is refused), no entity expansion, no network, libxml2's
huge-tree limits on. The document is then checked against the structure of the 2.0 XSD that matters
here (root element and namespace, the body, each event's children in the XSD's order, required fields,
the value types of actions, times and quantities) and converted: CBV URNs and web URIs become the bare
terms of the JSON-LD context, ILMD and user extensions become ``prefix:name`` keys whose prefixes the
document's ``@context`` (and each event's) declares, ``urn:epcglobal:cbv:mda`` as ``cbvmda``. So an event
sent as XML is the same internal event, with the same hash, as its JSON-LD twin. The GS1 XSDs themselves
are not shipped (their headers reserve all rights): the tests validate against them (tests/epcis)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from packtrace.epcis.events import DOCUMENT_CONTEXT, SCHEMA_VERSION
from packtrace.epcis.hashing import CONTEXT_NAMESPACES
from packtrace.epcis.xml_out import (
    COMMON,
    EPC_LISTS,
    EPCIS_NS,
    MDA_NS,
    QUANTITY_LISTS,
    SEQUENCES,
    TYPED_LISTS,
    VOCABULARY,
)

EPCIS_12_NS = "urn:epcglobal:epcis:xsd:1"
_CBV_WEB = "https://ref.gs1.org/cbv/"
_WEB_KINDS = {"bizstep": "BizStep", "disp": "Disp", "btt": "BTT", "sdt": "SDT", "er": "ER"}
_TIME = re.compile(
    r"^\d{4}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12]\d)T(2[0-3]|[01]\d):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$"
)
_OFFSET = re.compile(r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$")
_ACTIONS = ("ADD", "OBSERVE", "DELETE")
_NUMERIC_SENSOR = frozenset({"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"})
_TIMES = ("eventTime", "recordTime")


class XmlRefused(ValueError):
    """A document that is not well-formed EPCIS 2.0 XML: the message names the line and the rule."""


def _refuse(element: etree._Element, rule: str) -> XmlRefused:
    return XmlRefused(f"line {element.sourceline}: {rule}")


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        return namespace, local
    return None, tag


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _text(element: etree._Element) -> str:
    if _children(element):
        raise _refuse(element, f"{element.tag} holds text only")
    return (element.text or "").strip()


def _number(element: etree._Element, text: str) -> int | float:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _refuse(element, f"{_split(element.tag)[1]} is a decimal number, got {text!r}") from None
    return int(value) if value == value.to_integral_value() else float(value)


def _time(element: etree._Element, text: str) -> str:
    if not _TIME.match(text):
        raise _refuse(element, f"{_split(element.tag)[1]} is a date-time with a time zone, got {text!r}")
    datetime.fromisoformat(text.replace("Z", "+00:00"))
    return text


def bare_term(kind: str, value: str, element: etree._Element) -> str:
    """A CBV term as the JSON-LD context writes it: ``urn:epcglobal:cbv:{kind}:x``,
    ``https://ref.gs1.org/cbv/{Kind}-x`` and ``cbv:{Kind}-x`` (``cbv`` bound to the CBV) become ``x``."""
    if value.startswith(f"urn:epcglobal:cbv:{kind}:"):
        return value[len(f"urn:epcglobal:cbv:{kind}:") :]
    prefix, _, rest = value.partition(":")
    if prefix != "https" and element.nsmap.get(prefix) == _CBV_WEB:
        value = _CBV_WEB + rest
    web = f"{_CBV_WEB}{_WEB_KINDS[kind]}-"
    return value[len(web) :] if value.startswith(web) else value


class _Names:
    """XML names as JSON-LD keys, with one prefix per namespace across the document."""

    def __init__(self) -> None:
        self.standard = {namespace: prefix for prefix, namespace in CONTEXT_NAMESPACES.items()}
        self.standard[MDA_NS] = "cbvmda"
        self.assigned: dict[str, str] = {}  # namespace -> prefix of the document's own
        self.used: dict[str, str] = {}  # prefix -> namespace, of the event being read

    def key(self, element: etree._Element, name: str | None = None) -> str:
        namespace, local = _split(name or element.tag)
        if namespace is None:
            return local
        if namespace in self.standard:
            return f"{self.standard[namespace]}:{local}"
        prefix = self.assigned.get(namespace)
        if prefix is None:
            wanted = element.prefix if name is None and element.prefix else "ns"
            taken = set(self.assigned.values()) | set(CONTEXT_NAMESPACES)
            prefix, n = wanted, 1
            while prefix in taken:
                prefix, n = f"{wanted}{n}", n + 1
            self.assigned[namespace] = prefix
        self.used[prefix] = namespace
        return f"{prefix}:{local}"


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """A repeated element becomes a list, as in JSON-LD."""
    if key not in target:
        target[key] = value
    elif isinstance(target[key], list):
        target[key].append(value)
    else:
        target[key] = [target[key], value]


def _extension(element: etree._Element, names: _Names) -> Any:
    children = _children(element)
    if not children:
        return (element.text or "").strip()
    value: dict[str, Any] = {}
    for child in children:
        _put(value, names.key(child), _extension(child, names))
    return value


def _extensions(element: etree._Element, names: _Names, skip: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for child in _children(element)[skip:]:
        if _split(child.tag)[0] is None:
            raise _refuse(child, f"{element.tag} takes extension elements in a namespace, not {child.tag}")
        _put(found, names.key(child), _extension(child, names))
    return found


def _only(element: etree._Element, name: str) -> list[etree._Element]:
    children = _children(element)
    for child in children:
        if child.tag != name:
            raise _refuse(child, f"{element.tag} holds {name} elements only, not {child.tag}")
    return children


_EPC_COUNT = etree.XPath("count(epc)")
_EPC_INNER = etree.XPath("epc/*")
_EPC_TEXTS = etree.XPath("epc/text()", smart_strings=False)


def _epcs(element: etree._Element) -> list[str]:
    # The fast way through 100,000 EPCs: XPath in libxml2 hands over their texts, no element per EPC.
    count = int(_EPC_COUNT(element))
    if count != len(element):
        _only(element, "epc")
    inner = _EPC_INNER(element)
    if inner:
        raise _refuse(inner[0], "epc holds text only")
    texts: list[str] = _EPC_TEXTS(element)
    if len(texts) != count:  # an empty epc, or text in several nodes: one by one
        return [(epc.text or "").strip() for epc in element]
    return [text.strip() for text in texts]


def _quantities(element: etree._Element) -> list[dict[str, Any]]:
    found = []
    for item in _only(element, "quantityElement"):
        parts = {child.tag: child for child in _children(item)}
        order = [child.tag for child in _children(item)]
        if order not in (["epcClass"], ["epcClass", "quantity"], ["epcClass", "quantity", "uom"]):
            raise _refuse(item, "quantityElement is epcClass, then optional quantity, then optional uom")
        quantity: dict[str, Any] = {"epcClass": _text(parts["epcClass"])}
        if "quantity" in parts:
            quantity["quantity"] = _number(parts["quantity"], _text(parts["quantity"]))
        if "uom" in parts:
            quantity["uom"] = _text(parts["uom"])
        found.append(quantity)
    return found


def _sensor_values(element: etree._Element, names: _Names) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in element.attrib.items():
        key = names.key(element, name)
        if key in _NUMERIC_SENSOR:
            values[key] = _number(element, raw)
        elif key == "booleanValue":
            values[key] = raw.strip() in ("true", "1")
        else:
            values[key] = raw
    return values


def _sensors(element: etree._Element, names: _Names) -> list[dict[str, Any]]:
    found = []
    for sensor in _only(element, "sensorElement"):
        item: dict[str, Any] = {}
        for child in _children(sensor):
            if child.tag == "sensorMetadata":
                item["sensorMetadata"] = _sensor_values(child, names)
            elif child.tag == "sensorReport":
                item.setdefault("sensorReport", []).append(_sensor_values(child, names))
            elif _split(child.tag)[0] is not None:
                _put(item, names.key(child), _extension(child, names))
            else:
                raise _refuse(child, f"sensorElement has no element {child.tag}")
        if "sensorReport" not in item:
            raise _refuse(sensor, "sensorElement needs at least one sensorReport")
        found.append(item)
    return found


def _value(name: str, element: etree._Element, names: _Names) -> Any:
    if name in EPC_LISTS:
        return _epcs(element)
    if name in QUANTITY_LISTS:
        return _quantities(element)
    if name in VOCABULARY:
        return bare_term(VOCABULARY[name], _text(element), element)
    if name in ("readPoint", "bizLocation"):
        children = _children(element)
        if not children or children[0].tag != "id":
            raise _refuse(element, f"{name} starts with its id")
        return {"id": _text(children[0]), **_extensions(element, names, skip=1)}
    if name in TYPED_LISTS:
        child_name, kind = TYPED_LISTS[name]
        items = []
        for child in _only(element, child_name):
            item = {"type": bare_term(kind, child.get("type", ""), child)} if child.get("type") else {}
            if child.get("type") is None and name != "bizTransactionList":
                raise _refuse(child, f"{child_name} needs its type attribute")
            items.append({**item, child_name: _text(child)})
        return items
    if name == "persistentDisposition":
        found: dict[str, list[str]] = {}
        for child in _children(element):
            if child.tag not in ("set", "unset"):
                raise _refuse(child, f"persistentDisposition holds set and unset, not {child.tag}")
            found.setdefault(child.tag, []).append(bare_term("disp", _text(child), child))
        return found
    if name == "errorDeclaration":
        return _error_declaration(element, names)
    if name == "sensorElementList":
        return _sensors(element, names)
    if name == "ilmd":
        return _extensions(element, names)
    text = _text(element)
    if name in _TIMES:
        return _time(element, text)
    if name == "eventTimeZoneOffset" and not _OFFSET.match(text):
        raise _refuse(element, f"eventTimeZoneOffset is +HH:MM or -HH:MM, got {text!r}")
    if name == "action" and text not in _ACTIONS:
        raise _refuse(element, f"action is one of {', '.join(_ACTIONS)}, got {text!r}")
    return text


def _error_declaration(element: etree._Element, names: _Names) -> dict[str, Any]:
    declaration: dict[str, Any] = {}
    for child in _children(element):
        if child.tag == "declarationTime":
            declaration["declarationTime"] = _time(child, _text(child))
        elif child.tag == "reason":
            declaration["reason"] = bare_term("er", _text(child), child)
        elif child.tag == "correctiveEventIDs":
            declaration["correctiveEventIDs"] = [_text(c) for c in _only(child, "correctiveEventID")]
        elif _split(child.tag)[0] is not None:
            _put(declaration, names.key(child), _extension(child, names))
        else:
            raise _refuse(child, f"errorDeclaration has no element {child.tag}")
    if "declarationTime" not in declaration:
        raise _refuse(element, "errorDeclaration needs its declarationTime")
    return declaration


def _event(element: etree._Element, names: _Names) -> dict[str, Any]:
    kind = element.tag
    if kind not in SEQUENCES:
        raise _refuse(element, f"EventList holds {', '.join(SEQUENCES)}, not {kind}")
    order = COMMON + SEQUENCES[kind]
    names.used = {}
    event: dict[str, Any] = {"type": kind}
    position, extended = -1, False
    for child in _children(element):
        namespace, local = _split(child.tag)
        if namespace is not None:
            extended = True
            _put(event, names.key(child), _extension(child, names))
            continue
        if local not in order:
            raise _refuse(child, f"{kind} has no element {local} in EPCIS 2.0")
        if extended or order.index(local) <= position:
            raise _refuse(child, f"{local} out of order or repeated: {kind} takes {', '.join(order)} in that order")
        position = order.index(local)
        if local in ("extension", "baseExtension"):  # wrappers of user extensions: flattened, as in JSON-LD
            for key, value in _extensions(child, names).items():
                _put(event, key, value)
        else:
            event[local] = _value(local, child, names)
    required = ("eventTime", "eventTimeZoneOffset") + (() if kind == "TransformationEvent" else ("action",))
    for name in required:
        if name not in event:
            raise _refuse(element, f"{kind} needs {name}")
    if names.used:
        event["@context"] = dict(names.used)
    return event


def _parse(body: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise XmlRefused(f"line {error.lineno}: not well-formed XML: {error.msg}") from None
    if root.getroottree().docinfo.doctype:
        raise XmlRefused("line 1: an EPCIS document has no DOCTYPE (DTDs and entities are refused)")
    return root


def parse_document(body: bytes) -> dict[str, Any]:
    """An EPCIS 2.0 XML ``EPCISDocument`` as the JSON-LD EPCISDocument capture takes; XmlRefused naming
    the line and the rule where it is not one."""
    root = _parse(body)
    if root.tag != f"{{{EPCIS_NS}}}EPCISDocument":
        if root.tag == f"{{{EPCIS_12_NS}}}EPCISDocument":
            raise _refuse(root, f"EPCIS 1.2 XML ({EPCIS_12_NS}): capture takes EPCIS 2.0 XML ({EPCIS_NS})")
        raise _refuse(root, f"the root is {root.tag}, where an EPCISDocument in {EPCIS_NS} is expected")
    version, created = root.get("schemaVersion"), root.get("creationDate")
    if version is None or created is None:
        raise _refuse(root, "EPCISDocument needs its schemaVersion and creationDate attributes")
    _time(root, created)
    body_element = _body(root)
    names = _Names()
    events: list[dict[str, Any]] = []
    for listing in _children(body_element):
        if listing.tag == "extension":
            continue
        if listing.tag != "EventList":
            raise _refuse(listing, f"EPCISBody holds EventList, not {listing.tag}")
        for element in _children(listing):
            if element.tag == "extension":
                events.extend(_event(child, names) for child in _children(element))
            else:
                events.append(_event(element, names))
    context: list[Any] = [*DOCUMENT_CONTEXT[:-1], {**DOCUMENT_CONTEXT[-1], **_inverted(names.assigned)}]
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": version if version != "2" else SCHEMA_VERSION,
        "creationDate": created,
        "epcisBody": {"eventList": events},
    }


def _body(root: etree._Element) -> etree._Element:
    tags = [child.tag for child in _children(root) if _split(child.tag)[0] is None]
    if tags not in _DOCUMENT_SEQUENCES:
        raise _refuse(root, f"EPCISDocument holds [EPCISHeader], EPCISBody, [extension]; got {', '.join(tags)}")
    return next(child for child in _children(root) if child.tag == "EPCISBody")


_DOCUMENT_SEQUENCES = (
    ["EPCISBody"],
    ["EPCISHeader", "EPCISBody"],
    ["EPCISBody", "extension"],
    ["EPCISHeader", "EPCISBody", "extension"],
)


def _inverted(assigned: Mapping[str, str]) -> dict[str, str]:
    return {prefix: namespace for namespace, prefix in assigned.items()}
