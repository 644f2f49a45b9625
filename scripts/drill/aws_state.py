"""The drill's state backend probes: an object's versions, restoring one, Terraform's digest."""
import hashlib

from aws_common import client


def versions(arg):
    s3 = client("s3", arg["region"])
    listed = s3.list_object_versions(Bucket=arg["bucket"], Prefix=arg["key"]).get("Versions", [])
    ordered = sorted(
        (v for v in listed if v["Key"] == arg["key"]), key=lambda v: v["LastModified"], reverse=True
    )
    return [{"versionId": v["VersionId"], "isLatest": v["IsLatest"], "size": v["Size"]} for v in ordered]


def restore(arg):
    s3 = client("s3", arg["region"])
    s3.copy_object(
        Bucket=arg["bucket"],
        Key=arg["key"],
        CopySource={"Bucket": arg["bucket"], "Key": arg["key"], "VersionId": arg["versionId"]},
    )
    return {"restored": arg["versionId"]}


def digest(arg):
    """Stores the MD5 of an object's current version as Terraform's DynamoDB state digest."""
    body = client("s3", arg["region"]).get_object(Bucket=arg["bucket"], Key=arg["key"])["Body"].read()
    value = hashlib.md5(body).hexdigest()
    client("dynamodb", arg["region"]).put_item(
        TableName=arg["table"],
        Item={"LockID": {"S": f"{arg['bucket']}/{arg['key']}-md5"}, "Digest": {"S": value}},
    )
    return {"digest": value}
