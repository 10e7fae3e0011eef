"""Every error code the SQS domain modules raise is a shape of the current SQS model (or one of the known
unmodeled JSON codes), and the modules keep to their wall: no protocol, storage or server imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from botocore.loaders import Loader

import millpond.services.sqs as sqs_package

SQS_DIR = Path(sqs_package.__file__).parent
# AWS's JSON codes for errors the model does not list (seen as QueryErrorCode in AWS recordings),
# plus "EmptyValue", the Code AWS puts on a SendMessageBatch entry with an empty body.
UNMODELED = {"InvalidParameterValueException", "MissingRequiredParameterException", "EmptyValue"}


def raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in SQS_DIR.glob("*.py"):
        codes.update(re.findall(r'AwsError\(\s*"([A-Za-z]+)"', path.read_text()))
        codes.update(re.findall(r'code = "([A-Za-z]+)"', path.read_text()))
    return codes


def test_codes_are_model_shapes() -> None:
    model = Loader().load_service_model("sqs", "service-2")
    shapes = {name for name, shape in model["shapes"].items() if shape.get("exception")}
    codes = raised_codes()
    assert {"QueueNameExists", "InvalidAttributeName", "ReceiptHandleIsInvalid"} <= codes
    assert codes - shapes <= UNMODELED, codes - shapes - UNMODELED


def test_domain_modules_import_no_other_layer() -> None:
    for path in SQS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert not module.startswith(("millpond.protocol", "millpond.storage", "millpond.server")), (
                    path
                )
