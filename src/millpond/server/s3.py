"""Wiring S3: its blob folder (under the data directory, or a temp folder for --in-memory), its
repository, the notifier that delivers its events through the other services' providers, and CORS
(preflight OPTIONS answers and the headers added to S3 answers that carry an Origin)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

from millpond.clock import Clock
from millpond.config import Settings
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.protocol import rest_xml, s3_form, s3_routing, specs
from millpond.protocol.gateway import new_request_id
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.services.s3.notifications import Notifier
from millpond.services.s3.provider import S3Provider
from millpond.storage.engine import Engine
from millpond.storage.s3 import SqliteS3Repository
from millpond.storage.s3_blobs import FileBlobStore

if TYPE_CHECKING:
    from millpond.server.wiring import System


class _TemporaryBlobs(FileBlobStore):
    """--in-memory: the bytes go to a temp folder removed when millpond stops."""

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def build_s3(settings: Settings, clock: Clock, engine: Engine, providers: dict[str, object]) -> S3Provider:
    if settings.in_memory:
        blobs: FileBlobStore = _TemporaryBlobs(Path(tempfile.mkdtemp(prefix="millpond-s3-")))
    else:
        blobs = FileBlobStore(Path(settings.data_dir) / "s3", fsync=settings.durability == "full")
    notifier = Notifier(providers, settings.endpoint_url, settings.account_id)
    return S3Provider(SqliteS3Repository(engine, blobs), clock, settings.account_id, notifier)


async def preflight(provider: S3Provider, request: HttpRequest) -> HttpResponse:
    """A CORS preflight (OPTIONS) on a bucket or object, answered from the bucket's CORS rules."""
    request_id = new_request_id()
    wanted = request.headers.get("access-control-request-headers", "")
    headers = [h.strip().lower() for h in wanted.split(",") if h.strip()]
    bucket = s3_routing.bucket_of(request) or ""
    try:
        allowed = provider.cors_preflight(
            bucket,
            request.headers.get("origin"),
            request.headers.get("access-control-request-method"),
            headers,
        )
    except AwsError as error:
        return rest_xml.serialize_error(specs.service_model("s3"), error, request_id)
    return HttpResponse(200, [*rest_xml.response_headers(request_id), *allowed], b"")


def add_cors(provider: S3Provider, request: HttpRequest, response: HttpResponse) -> None:
    """Adds the bucket's CORS headers to the answer of an S3 request that carries an Origin."""
    origin = request.headers.get("origin")
    bucket = s3_routing.bucket_of(request)
    if origin and bucket:
        response.headers.extend(provider.cors_headers(bucket, origin, request.method))


async def form_upload(system: System, request: HttpRequest, url: str) -> HttpResponse:
    """POST Object: a browser form upload, stored as PutObject stores it (protocol/s3_form reads the form)."""
    provider = cast(S3Provider, system.providers["s3"])
    account_id, region = system.settings.account_id, system.settings.region
    request_id = new_request_id()
    try:
        bucket = s3_routing.bucket_of(request) or ""
        if request.stream is not None:
            try:
                request.body = await request.stream.read(s3_form.MAX_FORM_BYTES)
            except ValueError:
                raise AwsError(
                    "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400
                ) from None
            request.stream = None
        form = s3_form.parse(request, bucket, provider.s.clock.now())
        ctx = RequestContext(account_id, region, request_id, url, "s3", "PutObject")
        result = await provider.put_object(ctx, form.params)
        return s3_form.answer(form, result, url, request_id)
    except AwsError as error:
        return rest_xml.serialize_error(specs.service_model("s3"), error, request_id)
