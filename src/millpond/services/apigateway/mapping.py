"""Mapping templates: API Gateway's Velocity (VTL) templates rendered with airspeed, with the variables AWS
gives them: $input (body, json(path), path(path), params()), $util (escapeJavaScript, parseJson, urlEncode,
urlDecode, base64Encode, base64Decode), $context, $stageVariables. JSONPath here is the subset templates
use: $, $.a.b, $.a[0], $['a'].
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_plus

import airspeed

_PATH_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


class MappingError(ValueError):
    pass


def json_path(document: Any, path: str) -> Any:
    if not path.startswith("$"):
        raise MappingError(f"Invalid JSONPath {path}")
    current = document
    for found in _PATH_PART.finditer(path[1:]):
        key = found.group(1) or found.group(3) or found.group(4)
        if found.group(2) is not None:
            index = int(found.group(2))
            current = current[index] if isinstance(current, list) and index < len(current) else None
        else:
            current = current.get(key) if isinstance(current, dict) else None
        if current is None:
            return None
    return current


class Input:
    """$input: the request (or integration response) body and the method request's parameters."""

    def __init__(self, body: str, params: dict[str, dict[str, str]]) -> None:
        self.body = body
        self._params = params
        self._parsed: Any = None
        self._parsed_ready = False

    def _document(self) -> Any:
        if not self._parsed_ready:
            try:
                self._parsed = json.loads(self.body) if self.body.strip() else {}
            except ValueError:
                self._parsed = None
            self._parsed_ready = True
        return self._parsed

    def json(self, path: str) -> str:
        return json.dumps(json_path(self._document(), path))

    def path(self, path: str) -> Any:
        return json_path(self._document(), path)

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return self._params
        for where in ("path", "querystring", "header"):
            if name in self._params.get(where, {}):
                return self._params[where][name]
        return ""


class Util:
    @staticmethod
    def escapeJavaScript(text: Any) -> str:
        return json.dumps(str(text))[1:-1].replace("'", "\\'")

    @staticmethod
    def parseJson(text: str) -> Any:
        return json.loads(text)

    @staticmethod
    def urlEncode(text: Any) -> str:
        return quote(str(text), safe="")

    @staticmethod
    def urlDecode(text: Any) -> str:
        return unquote_plus(str(text))

    @staticmethod
    def base64Encode(text: Any) -> str:
        return base64.b64encode(str(text).encode()).decode()

    @staticmethod
    def base64Decode(text: Any) -> str:
        return base64.b64decode(str(text)).decode()


def request_params(
    headers: list[tuple[str, str]], query_string: str, path_parameters: dict[str, str]
) -> dict[str, dict[str, str]]:
    return {
        "path": dict(path_parameters),
        "querystring": dict(parse_qsl(query_string, keep_blank_values=True)),
        "header": {name: value for name, value in headers},
    }


def render(
    template: str,
    body: str,
    params: dict[str, dict[str, str]],
    context: dict[str, Any],
    stage_variables: dict[str, str],
) -> str:
    try:
        compiled = airspeed.Template(template)
        return str(
            compiled.merge(
                {
                    "input": Input(body, params),
                    "util": Util(),
                    "context": context,
                    "stageVariables": stage_variables,
                }
            )
        )
    except Exception as error:  # a template that does not parse or render: AWS answers 500
        raise MappingError(str(error)) from None


def choose_template(templates: dict[str, str] | None, content_type: str | None) -> tuple[str | None, bool]:
    """(template, whether any were defined) for a request's Content-Type (default application/json)."""
    if not templates:
        return None, False
    wanted = (content_type or "application/json").split(";", 1)[0].strip().lower()
    for kind, template in templates.items():
        if kind.lower() == wanted:
            return template, True
    return None, True
