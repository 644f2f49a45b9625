"""What the DR drill's probes share: a boto3 client for the emulator, and pagination."""
import sys

import boto3
from botocore.config import Config

ENDPOINT = sys.argv[1]
# Four attempts: the emulator now and then drops a keep-alive connection under load, which the
# SDK's retry exists to absorb (the probes only ever call the live emulator, never a dark region).
CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=60)


def client(service, region="us-east-1"):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id="drill",
        aws_secret_access_key="drill",
        config=CONFIG,
    )


def pages(call, key, **kwargs):
    """Every item of a list call, following NextToken or Marker pagination."""
    items = []
    while True:
        page = call(**kwargs)
        items.extend(page.get(key, []))
        if page.get("NextToken"):
            kwargs["NextToken"] = page["NextToken"]
        elif page.get("NextMarker") or (page.get("IsTruncated") and page.get("Marker")):
            kwargs["Marker"] = page.get("NextMarker") or page["Marker"]
        else:
            return items
