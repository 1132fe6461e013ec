"""S3-compatible object storage (Cloudflare R2, MinIO, OCI, AWS S3) named by one URL.

``s3://[ACCESS_KEY:SECRET_KEY@]BUCKET[/PREFIX][?endpoint_url=…&region=…&addressing_style=…]``

Without keys in the URL, boto3 finds them itself (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, or the machine's role). A custom ``endpoint_url`` (anything but
AWS) is addressed by path unless the URL says otherwise.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def s3_options(url: str) -> dict[str, Any]:
    """django-storages' ``S3Storage`` options for ``url``: a private bucket, files under the
    prefix, never public URLs (the app checks permission and streams each file)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            f"An object storage URL looks like s3://bucket/prefix, not {url!r}"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint_url", "region", "addressing_style"}
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown object storage option(s): {', '.join(sorted(unknown))}"
        )
    options: dict[str, Any] = {
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        "default_acl": None,  # the bucket's own: private
        "querystring_auth": True,
        "file_overwrite": True,  # a document re-rendered replaces its file
        "signature_version": "s3v4",
        "region_name": query.get("region") or None,
        "endpoint_url": query.get("endpoint_url") or None,
    }
    style = query.get("addressing_style") or ("path" if options["endpoint_url"] else None)
    if style:
        options["addressing_style"] = style
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return options
