#!/usr/bin/env python3
"""Writes Sources/CareVaultCore/Resources/fhir-r4-elements.json: every FHIR R4 (4.0.1) resource,
data type and backbone element with its elements' types, cardinality and choice groups, which
`FHIRElementValidator` checks imports against.

A development tool, run by hand when the FHIR version changes; the JSON it writes is committed and
the server never runs Python. Source: the R4 definitions as the `fhir.resources` 6.4.0 models
carry them (BSD licence; generated from HL7's StructureDefinitions):

    python3 -m venv /tmp/fr && /tmp/fr/bin/pip install 'fhir.resources==6.4.0' 'pydantic<2'
    /tmp/fr/bin/python scripts/dev/generate-fhir-r4-elements.py
"""
import json
import pathlib
import typing

import fhir.resources
from fhir.resources import fhirtypes
from fhir.resources.fhirtypesvalidators import get_fhir_model_class

assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__

PRIMITIVES = {
    "Boolean": "boolean", "bool": "boolean", "Integer": "integer", "PositiveInt": "positiveInt",
    "UnsignedInt": "unsignedInt", "Decimal": "decimal", "String": "string", "Markdown": "markdown",
    "Code": "code", "Id": "id", "Uri": "uri", "Url": "url", "Canonical": "canonical", "Oid": "oid",
    "Uuid": "uuid", "Base64Binary": "base64Binary", "Instant": "instant", "Date": "date",
    "DateTime": "dateTime", "Time": "time", "Xhtml": "xhtml", "str": "string",
}


def type_name(t):
    args = [a for a in typing.get_args(t) if a is not type(None)]
    if args:  # Optional[X] (lists of primitives may hold nulls beside their `_x` extensions)
        return type_name(args[0])
    name = getattr(t, "__name__", str(t))
    if name in PRIMITIVES:
        return PRIMITIVES[name]
    if name == "ResourceType":
        return "Resource"
    if name.endswith("Type"):
        return name[: -len("Type")]
    raise ValueError(f"unknown type {t!r}")


types = {}
pending = []


def describe(name):
    if name in types or name == "Resource":
        return
    klass = get_fhir_model_class(name)
    elements = {}
    types[name] = elements
    for field in klass.__fields__.values():
        extra = field.field_info.extra
        if not extra.get("element_property"):
            continue
        element_type = type_name(field.type_)
        spec = {"t": element_type}
        if field.shape != 1:
            spec["a"] = 1
        if field.required or extra.get("element_required"):
            spec["r"] = 1
        if extra.get("one_of_many"):
            spec["c"] = extra["one_of_many"]
            if extra.get("one_of_many_required"):
                spec["cr"] = 1
        elements[field.alias] = spec
        if element_type[0].isupper():
            pending.append(element_type)


resource_names = sorted(
    name[: -len("Type")] for name in dir(fhirtypes)
    if name.endswith("Type") and isinstance(getattr(fhirtypes, name), type)
)
resources = []
for name in resource_names:
    try:
        klass = get_fhir_model_class(name)
    except KeyError:
        continue
    if name not in ("Resource", "DomainResource") and issubclass(klass, get_fhir_model_class("Resource")):
        resources.append(name)
# Element: what a primitive's `_name` extension object may hold.
for name in resources + ["Element"]:
    describe(name)
while pending:
    describe(pending.pop())

out = pathlib.Path(__file__).resolve().parents[2] / "Sources/CareVaultCore/Resources/fhir-r4-elements.json"
out.write_text(json.dumps({
    "fhirVersion": "4.0.1",
    "source": "HL7 FHIR R4 4.0.1 definitions as carried by fhir.resources 6.4.0 (scripts/dev/generate-fhir-r4-elements.py)",
    "resources": sorted(resources),
    "types": {name: types[name] for name in sorted(types)},
}, separators=(",", ":"), sort_keys=False) + "\n")
print(f"{len(resources)} resources, {len(types)} types -> {out}")
