"""Object storage: ``STORAGE_URL`` read into django-storages' S3 backend.

``STORAGE_URL=s3://bucket[/prefix]?endpoint=http://seaweedfs:8333&region=us-east-1``
puts evidence, letters, imports, exports and reports in that bucket; without it they
stay in ``MEDIA_ROOT``. Keys come from ``STORAGE_ACCESS_KEY_ID`` /
``STORAGE_SECRET_ACCESS_KEY`` or, when those are unset, from boto3's own chain
(``AWS_ACCESS_KEY_ID``, ``~/.aws``, an instance role), never from the URL.

Objects are private (no ACL is sent: the bucket's private default holds) and
uploaded with a checksum the server verifies (``ChecksumAlgorithm``, SHA-256 unless
``checksum=`` says otherwise). Pre-signed URLs expire within a minute; the app
issues one only after its own scope check (casework/downloads.py).
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage
from storages.utils import clean_name
from whitenoise.storage import CompressedManifestStaticFilesStorage


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend with private objects, streamed reads and pre-signed
    URLs that may be signed for a public address of the server (``public_endpoint_url``)
    when the app reaches it under an internal name (``http://seaweedfs:8333``)."""

    #: Downloads may answer with a short-lived pre-signed URL (casework/downloads.py).
    presigned_downloads = True

    def __init__(self, *, public_endpoint_url=None, **settings):
        self.public_endpoint_url = public_endpoint_url
        self._public_client = None
        super().__init__(**settings)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_public_client", None)
        return state

    def __setstate__(self, state):
        state["_public_client"] = None
        super().__setstate__(state)

    def key(self, name: str) -> str:
        """The object key of a stored file name (with the configured prefix)."""
        return self._normalize_name(clean_name(name))

    def open_stream(self, name: str):
        """The object's body as a stream: read in chunks as the response goes out,
        never downloaded whole into a temporary file first."""
        return self.bucket.Object(self.key(name)).get()["Body"]

    def url(self, name, parameters=None, expire=None, http_method=None):
        if not self.public_endpoint_url:
            return super().url(name, parameters, expire, http_method)
        params = {**(parameters or {}), "Bucket": self.bucket_name, "Key": self.key(name)}
        return self.public_client().generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=expire or self.querystring_expire,
            HttpMethod=http_method,
        )

    def public_client(self):
        """A client for signing only (signing needs no network): the signature covers
        the host, so it must be made for the address the browser will use."""
        if self._public_client is None:
            self._public_client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
            )
        return self._public_client


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed static names with gzip copies, and no Brotli ones.

    WhiteNoise makes Brotli copies whenever the ``brotli`` module is importable, at
    Brotli's highest quality: about 50 s of CPU per collectstatic for Swagger UI's bundle.
    The image has no ``brotli`` (only the load test's client pulls it in), so this keeps
    every environment serving what production serves, for the cost of gzip alone.
    """

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
