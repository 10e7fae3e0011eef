"""The model's constraints (enum, range, length), checked once before the provider runs, for the
services whose front end answers every violation together in one ValidationException (Lambda).

AWS's front end (Coral) checks each member against its shape and lists what fails, "2 validation errors
detected: Value '5' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than
or equal to 2; ...". A list or map whose items break their shape's rules is named once, with every rule of
the item shape: "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64],
Member must not be null]". Patterns are listed among an item's rules but not enforced: the provider checks
the names it resolves, and a local suite's made-up ARNs ("arn:aws:lambda:us-west-2:account-id:function:f" as
a SourceArn) would otherwise be refused where they only need to be stored.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from millpond.protocol.required import camel
from millpond.validation import validation_error, violation

# Services whose front end validates the model this way. The others check in their providers (Kinesis,
# with its own check order) or answer in their own words (the query services).
CHECKED_SERVICES = frozenset({"lambda"})
_NUMBERS = frozenset({"integer", "long", "double", "float"})


def _number(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _rules(shape: Shape) -> list[str]:
    """Every rule of a scalar shape, in the order AWS lists them."""
    metadata = shape.metadata
    rules: list[str] = []
    if shape.type_name in _NUMBERS:
        if "max" in metadata:
            rules.append(f"Member must have value less than or equal to {_number(metadata['max'])}")
        if "min" in metadata:
            rules.append(f"Member must have value greater than or equal to {_number(metadata['min'])}")
        return rules
    if shape.type_name != "string":
        return rules
    if "max" in metadata:
        rules.append(f"Member must have length less than or equal to {metadata['max']}")
    if "min" in metadata:
        rules.append(f"Member must have length greater than or equal to {metadata['min']}")
    if "pattern" in metadata:
        rules.append(f"Member must satisfy regular expression pattern: {metadata['pattern']}")
    enum = getattr(shape, "enum", None)
    if enum:
        rules.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
    return rules


def _broken(shape: Shape, value: Any) -> list[str]:
    """The rules of a scalar shape that `value` breaks."""
    metadata = shape.metadata
    broken: list[str] = []
    if shape.type_name in _NUMBERS and isinstance(value, int | float) and not isinstance(value, bool):
        if "max" in metadata and value > metadata["max"]:
            broken.append(f"Member must have value less than or equal to {_number(metadata['max'])}")
        if "min" in metadata and value < metadata["min"]:
            broken.append(f"Member must have value greater than or equal to {_number(metadata['min'])}")
    elif shape.type_name == "string" and isinstance(value, str):
        if "max" in metadata and len(value) > metadata["max"]:
            broken.append(f"Member must have length less than or equal to {metadata['max']}")
        if "min" in metadata and len(value) < metadata["min"]:
            broken.append(f"Member must have length greater than or equal to {metadata['min']}")
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            broken.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
    return broken


def _length(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    metadata = shape.metadata
    if "max" in metadata and len(value) > metadata["max"]:
        found.append(
            violation(value, path, f"Member must have length less than or equal to {metadata['max']}")
        )
    if "min" in metadata and len(value) < metadata["min"]:
        found.append(
            violation(value, path, f"Member must have length greater than or equal to {metadata['min']}")
        )


def _items(item_shape: Shape, items: list[Any], value: Any, path: str, lead: str, found: list[str]) -> None:
    """Scalar items of a list or map: one violation naming the container and every rule of the item."""
    if any(item is None or _broken(item_shape, item) for item in items):
        rules = ", ".join([*_rules(item_shape), "Member must not be null"])
        found.append(violation(value, path, f"{lead} must satisfy constraint: [{rules}]"))


def _check(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    if value is None:
        return
    if isinstance(shape, StructureShape):
        if isinstance(value, dict) and not shape.is_document_type:
            _members(shape, value, path, found)
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            return
        _length(shape, value, path, found)
        if isinstance(shape.member, StructureShape | ListShape | MapShape):
            for position, item in enumerate(value, 1):
                _check(shape.member, item, f"{path}.{position}.member", found)
        else:
            _items(shape.member, value, value, path, "Member", found)
    elif isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return
        _length(shape, value, path, found)
        _items(shape.key, list(value), value, path, "Map keys", found)
        if isinstance(shape.value, StructureShape | ListShape | MapShape):
            for key, item in value.items():
                _check(shape.value, item, f"{path}.{key}.member", found)
        else:
            _items(shape.value, list(value.values()), value, path, "Map value", found)
    else:
        found.extend(violation(value, path, rule) for rule in _broken(shape, value))


def _members(shape: StructureShape, params: dict[str, Any], parent: str, found: list[str]) -> None:
    for name, item in params.items():
        member = shape.members.get(name)
        if member is not None:
            _check(member, item, f"{parent}.{camel(name)}" if parent else camel(name), found)


def check_constraints(service: str, shape: StructureShape | None, params: dict[str, Any]) -> None:
    """Raise one ValidationException listing every model constraint `params` break (for CHECKED_SERVICES)."""
    if shape is None or service not in CHECKED_SERVICES:
        return
    found: list[str] = []
    _members(shape, params, "", found)
    if found:
        raise validation_error(found)
