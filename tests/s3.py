"""An S3-compatible server on loopback for the tests: moto in server mode, in a thread of the test process, on a free
port. Each test gets a bucket of its own."""

from __future__ import annotations

import uuid
from datetime import timedelta

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "certcenter-test", "AWS_SECRET_ACCESS_KEY": "certcenter-test-secret"}


class LoopbackS3:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.stop()

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self) -> str:
        name = f"certcenter-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "files", **extra) -> dict:
        """The app's settings for a storage in ``bucket``: what CERTCENTER_STORAGE_URL and CERTCENTER_S3_* say."""
        return {
            "STORAGE_URL": f"s3://{bucket}/{prefix}",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "S3_SECRET_ACCESS_KEY": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            **extra,
        }

    def environment(self, bucket: str, prefix: str = "files") -> dict[str, str]:
        """The same, as the environment of another process (the endpoint and credentials as AWS_* variables)."""
        return {
            "CERTCENTER_STORAGE_URL": f"s3://{bucket}/{prefix}",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": REGION,
            **CREDENTIALS,
        }

    @staticmethod
    def age(bucket: str, name: str, hours: float) -> None:
        """Make an object look written ``hours`` ago (S3 has no call for it; moto's objects are in this process)."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        key = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket(bucket).keys[name]
        key.last_modified -= timedelta(hours=hours)
