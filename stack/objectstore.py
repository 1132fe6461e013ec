"""The stack's object storage: a local server that speaks S3's protocol (moto's, from the dev
dependencies) with one private bucket, where the app instances and workers keep uploaded and
generated files (``MEDIA_STORAGE_URL``), as they would in R2, MinIO or S3. It keeps what it
holds in memory: the stack is for trying and measuring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3

from stack.common import WAIT, wait_for_port

BUCKET = "klustera-media"
REGION = "ap-southeast-3"  # Jakarta
KEY, SECRET = "stack-key", "stack-secret"  # the local server takes any keys


class ObjectStore:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """What ``MEDIA_STORAGE_URL`` says to use the bucket."""
        return f"s3://{KEY}:{SECRET}@{BUCKET}/klustera?endpoint_url={self.endpoint}&region={REGION}"

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=KEY, aws_secret_access_key=SECRET,
        )  # fmt: skip

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=(self.root / "s3.log").open("ab"),
        )  # fmt: skip

        def alive() -> None:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the S3 server exited; see {self.root / 's3.log'}")

        wait_for_port(self.port, alive=alive)
        self.client().create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def stored(self) -> list[str]:
        """The key of every object in the bucket."""
        listed = self.client().list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listed.get("Contents", [])]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(WAIT)
        self.process = None
