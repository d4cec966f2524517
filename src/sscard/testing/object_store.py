"""A local S3-compatible server for tests (moto's, in a thread, on 127.0.0.1) and the settings that
point the default storage at it, as a multi-node deployment does."""

import socket
import urllib.request
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "cn-southwest-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def s3_server(bucket: str = "sscard-test"):
    """Yields the endpoint URL of a fresh local S3 server with ``bucket`` created."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        # moto keeps its buckets per process, not per server: start each test from an empty store
        urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST"), timeout=10)
        client(endpoint).create_bucket(Bucket=bucket,
                                       CreateBucketConfiguration={"LocationConstraint": "cn-southwest-1"})
        yield endpoint
    finally:
        server.stop()


def client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="cn-southwest-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def storages_setting(endpoint: str, bucket: str = "sscard-test") -> dict:
    """``STORAGES`` as settings.py builds it from SSCARD_S3_BUCKET / SSCARD_S3_ENDPOINT_URL (the bucket
    behind the encrypting wrapper, ``core.storage.EncryptedStorage``)."""
    return {
        "default": {"BACKEND": "sscard.core.storage.EncryptedStorage", "OPTIONS": {
            "backend": "storages.backends.s3.S3Storage", "options": {
                "bucket_name": bucket, "endpoint_url": endpoint, "region_name": "cn-southwest-1",
                "default_acl": "private", "file_overwrite": False, "querystring_auth": True, "location": "",
                "access_key": "testing", "secret_key": "testing"}}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
