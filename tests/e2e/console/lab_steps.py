"""The lab's console steps (Lab 4: Tasks 3, 4, 5, 7, 8 and the clean-up), done in millpond's console the
way the lab tells a person to: every field and button found by the name the AWS console gives it."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

CONSOLE = "/_millpond/console/"
LAB_CODE = Path(__file__).parent / "lab_functions"
SQS_PRODUCER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
            "Resource": "*",
        }
    ],
}


def lab_zip(module: str, replacements: dict[str, str]) -> bytes:
    """`zip <name>.zip <module>.py` of the lab's code, after the lab's sed edits."""
    source = (LAB_CODE / f"{module}.py").read_text()
    for old, new in replacements.items():
        source = source.replace(old, new)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{module}.py", source)
    return buffer.getvalue()


def create_role(page: Any, user: str, shots: Any = None) -> None:
    """Task 3.1 and 3.2: Create role (AWS service, Lambda), three managed policies, name, description, tag."""
    page.goto(CONSOLE + "#/iam")
    page.get_by_role("link", name="Create role").click()
    page.get_by_label("AWS service", exact=True).check()
    page.get_by_label("Service or use case", exact=True).select_option(label="Lambda")
    page.get_by_role("radio", name="Lambda", exact=True).check()
    if shots:
        shots("task3-trusted-entity")
    page.get_by_role("button", name="Next").click()
    search = page.get_by_label("Filter policies by property or policy name", exact=True)
    for policy in (
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaKinesisExecutionRole",
    ):
        search.fill(policy)
        page.get_by_label(policy, exact=True).check()
    if shots:
        shots("task3-permissions")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Role name", exact=True).fill(f"{user}-messaging-lambda-role")
    page.get_by_label("Description", exact=True).fill("Lambda execution role for SQS and Kinesis processing")
    page.get_by_role("button", name="Add new tag").click()
    page.get_by_label("Key", exact=True).fill("Project")
    page.get_by_label("Value", exact=True).fill("ServerlessLab")
    expect(page.get_by_test_id("review-trust")).to_contain_text("lambda.amazonaws.com")
    expect(page.get_by_test_id("review-policies")).to_contain_text("AWSLambdaKinesisExecutionRole")
    if shots:
        shots("task3-review")
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_test_id("role-title")).to_have_text(f"{user}-messaging-lambda-role")


def add_inline_policy(page: Any, name: str, document: Any) -> None:
    """Task 3.3: Add permissions -> Create inline policy, the JSON tab, Next, Name, Create policy."""
    page.get_by_role("button", name="Add permissions").click()
    page.get_by_role("menuitem", name="Create inline policy").click()
    page.get_by_role("tab", name="JSON").click()
    page.get_by_label("Policy editor", exact=True).fill(
        document if isinstance(document, str) else json.dumps(document, indent=4)
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Policy name", exact=True).fill(name)
    page.get_by_role("button", name="Create policy").click()


def create_function(page: Any, name: str, handler: str, role: str, code: bytes) -> None:
    """Task 4: Create function, Author from scratch, python3.9, the lab's handler, the role, the .zip."""
    page.goto(CONSOLE + "#/functions")
    page.get_by_role("link", name="Create function").click()
    expect(page.get_by_label("Author from scratch", exact=True)).to_be_checked()
    page.get_by_label("Function name", exact=True).fill(name)
    page.get_by_label("Runtime", exact=True).select_option("python3.9")
    page.get_by_label("Handler", exact=True).fill(handler)
    page.get_by_label("Code (.zip file)", exact=True).set_input_files(
        files=[{"name": f"{name}.zip", "mimeType": "application/zip", "buffer": code}]
    )
    page.get_by_label("Use an existing role", exact=True).check()
    page.get_by_label("Existing role", exact=True).select_option(label=role)
    page.get_by_role("button", name="Create function").click()
    expect(page.get_by_test_id("function-title")).to_have_text(name)
    module = f"{handler.split('.')[0]}.py"
    page.get_by_test_id("code-files").get_by_role("button", name=module).click()
    expect(page.get_by_test_id("code-file-content")).to_contain_text("def lambda_handler(event, context):")


def configure(page: Any, section: str) -> None:
    page.get_by_role("tab", name="Configuration").click()
    page.get_by_role("navigation", name="Configuration").get_by_role("button", name=section).click()


def general_configuration(page: Any, timeout: int, description: str) -> None:
    configure(page, "General configuration")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Description", exact=True).fill(description)
    page.get_by_label("Timeout", exact=True).fill(str(timeout))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("function-description")).to_have_text(description)


def reserve_concurrency(page: Any, amount: int) -> None:
    configure(page, "Concurrency")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Reserve concurrency", exact=True).check()
    page.get_by_label("Reserved concurrency", exact=True).fill(str(amount))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("reserved-concurrency")).to_have_text(str(amount))


def open_function(page: Any, name: str) -> None:
    page.goto(CONSOLE + "#/functions")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_test_id("function-title")).to_have_text(name)


def add_trigger(page: Any, function: str, source: str, fields: dict[str, Any]) -> str:
    """Configuration -> Triggers -> Add trigger: fills each named field; returns the trigger's UUID."""
    open_function(page, function)
    configure(page, "Triggers")
    page.get_by_role("button", name="Add trigger").click()
    page.get_by_label("Source", exact=True).select_option(source)
    for label, value in fields.items():
        control = page.get_by_label(label, exact=True)
        if isinstance(value, bool):
            control.set_checked(value)
        elif label in ("SQS queue", "Kinesis stream", "Starting position"):
            control.select_option(label=value)
        else:
            control.fill(str(value))
    page.get_by_role("button", name="Add", exact=True).click()
    card = page.get_by_role("group", name=re.compile(f"^Trigger {source}: "))
    expect(card.get_by_test_id("mapping-state")).to_have_text("Enabled", timeout=15_000)
    card.get_by_text("Details").click()
    return str(card.get_by_test_id("mapping-uuid").inner_text())


def create_rest_api(page: Any, name: str, description: str) -> str:
    """Task 8: Create API -> REST API -> Build; API name, Description, Endpoint Type Regional."""
    page.goto(CONSOLE + "#/apis")
    page.get_by_role("link", name="Create API").click()
    page.get_by_role("group", name="REST API").get_by_role("button", name="Build").click()
    page.get_by_label("API name", exact=True).fill(name)
    page.get_by_label("Description", exact=True).fill(description)
    page.get_by_label("Endpoint Type", exact=True).select_option(label="Regional")
    page.get_by_role("button", name="Create API").click()
    expect(page.get_by_test_id("api-title")).to_have_text(name)
    found = re.search(r"id=([a-z0-9]+)", page.url)
    assert found, page.url
    return found.group(1)


def action(page: Any, name: str) -> None:
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name=name).click()


def resource_with_post(page: Any, resource: str, function: str) -> None:
    """Create Resource (with CORS), then POST with Lambda proxy integration to the function; Save, OK."""
    action(page, "Create Resource")
    page.get_by_label("Resource Name", exact=True).fill(resource)
    expect(page.get_by_label("Resource Path", exact=True)).to_have_value(resource)
    page.get_by_label("Resource Path", exact=True).fill(f"/{resource}")
    page.get_by_label("Enable API Gateway CORS", exact=True).check()
    page.get_by_role("button", name="Create Resource").click()
    expect(page.get_by_test_id("resources-tree")).to_contain_text(f"/{resource}")
    action(page, "Create Method")
    page.get_by_label("Method", exact=True).select_option("POST")
    page.get_by_role("radio", name="Lambda Function").check()
    page.get_by_label("Use Lambda Proxy integration", exact=True).check()
    page.get_by_role("combobox", name="Lambda Function").fill(function)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_test_id("method-title")).to_have_text(f"/{resource} - POST")
    expect(page.get_by_test_id("integration-type")).to_contain_text("Lambda proxy")


def deploy(page: Any, stage: str) -> str:
    """Actions -> Deploy API -> [New Stage], Stage name, Deploy; returns the Invoke URL shown."""
    action(page, "Deploy API")
    page.get_by_label("Deployment stage", exact=True).select_option(label="[New Stage]")
    page.get_by_label("Stage name", exact=True).fill(stage)
    page.get_by_role("button", name="Deploy", exact=True).click()
    url = page.get_by_test_id(f"invoke-url-{stage}")
    expect(url).to_be_visible()
    return str(url.inner_text())


def confirm_delete(page: Any, word: str) -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").fill(word)
    dialog.get_by_role("button", name="Delete").click()
