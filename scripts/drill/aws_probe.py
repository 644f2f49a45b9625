"""Reads and prepares the emulated AWS for the DR drill, with boto3 (the AWS SDK for Python).

Usage: python3 aws_probe.py ENDPOINT COMMAND JSON-ARGUMENT   (prints one JSON document)

  observe   what each region runs: the app tier's Auto Scaling group, the Git server's state,
            the databases and whose replica each is, and the region each DNS record serves
  ids       the ids/ARNs of every stateful resource (state and Git buckets, lock tables,
            databases, KMS keys, Git volumes, secrets), to compare before and after a step
  zone      creates the public hosted zone the estate looks up (an operator creates it once)
  replicate copies every object of a bucket to another, under the rule's replica key (the S3
            replication rule the emulator does not carry out)
  encryption how each object of some buckets is encrypted (SSE type and KMS key)
  versions  the versions of one object, newest first
  restore   makes an older version of an object the current one
  digest    stores an object's MD5 as Terraform's state digest in the lock table
  facts     what IAM evaluation needs, as the emulator holds it: the estate's roles (trust,
            policies, boundary), instance profiles, KMS keys (aliases, key policy), and the key
            each lock table, bucket and secret is encrypted under

Every call goes to ENDPOINT (the emulator on 127.0.0.1) with dummy credentials; nothing is
read from the caller's AWS configuration.
"""
import hashlib
import json
import sys

import boto3
from botocore.config import Config

ENDPOINT = sys.argv[1]
CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60)


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


def region_of_dns_name(name, load_balancers):
    """The region whose load balancer has this DNS name (alias targets end with a dot)."""
    wanted = (name or "").rstrip(".").lower()
    for region, names in load_balancers.items():
        if wanted in names:
            return region
    return None


def observe(arg):
    regions = arg["regions"]
    observed = {}
    load_balancers = {}
    for region, names in regions.items():
        asg = client("autoscaling", region).describe_auto_scaling_groups(
            AutoScalingGroupNames=[names["asg"]]
        )["AutoScalingGroups"]
        instances = [
            i
            for r in client("ec2", region).describe_instances(
                Filters=[{"Name": "tag:Name", "Values": [names["git"]]}]
            )["Reservations"]
            for i in r["Instances"]
            if i["State"]["Name"] != "terminated"
        ]
        rds = client("rds", region)
        databases = [
            {
                "identifier": d["DBInstanceIdentifier"],
                "replicaOf": d.get("ReadReplicaSourceDBInstanceIdentifier") or None,
            }
            for d in pages(rds.describe_db_instances, "DBInstances")
            if d["DBInstanceIdentifier"].startswith(names["databasePrefix"])
        ]
        observed[region] = {
            "asg": {"min": asg[0]["MinSize"], "desired": asg[0]["DesiredCapacity"], "max": asg[0]["MaxSize"]}
            if asg
            else None,
            "git": instances[0]["State"]["Name"] if len(instances) == 1 else [i["State"]["Name"] for i in instances],
            "databases": sorted(databases, key=lambda d: d["identifier"]),
        }
        load_balancers[region] = {
            lb["DNSName"].lower() for lb in client("elbv2", region).describe_load_balancers()["LoadBalancers"]
        }
    dns = {}
    route53 = client("route53")
    zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == arg["zone"]]
    if zones:
        records = route53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
        for record in records:
            name = record["Name"].rstrip(".")
            if name not in arg["names"]:
                continue
            if record.get("Failover") == "PRIMARY" and "AliasTarget" in record:
                # Traffic goes to the PRIMARY record while its health check passes.
                dns[name] = region_of_dns_name(record["AliasTarget"]["DNSName"], load_balancers)
            elif record.get("Failover") == "SECONDARY" and "AliasTarget" in record:
                # ... and to the SECONDARY one while it fails: the standby route.
                dns["standby " + name] = region_of_dns_name(record["AliasTarget"]["DNSName"], load_balancers)
            elif record["Type"] == "CNAME" and not record.get("Failover"):
                target = record["ResourceRecords"][0]["Value"]
                dns[name] = next((r for r in regions if f".{r}." in f".{target}."), target)
    return {"regions": observed, "dns": dns}


def ids(arg):
    found = {}
    for bucket in client("s3").list_buckets().get("Buckets", []):
        if bucket["Name"].startswith(arg["bucketPrefix"]):
            found[f"s3:{bucket['Name']}"] = bucket["CreationDate"].isoformat()
    for region in arg["regions"]:
        dynamodb = client("dynamodb", region)
        for table in dynamodb.list_tables()["TableNames"]:
            description = dynamodb.describe_table(TableName=table)["Table"]
            found[f"dynamodb:{region}:{table}"] = description["TableArn"] + "@" + description["CreationDateTime"].isoformat()
        for database in pages(client("rds", region).describe_db_instances, "DBInstances"):
            found[f"rds:{region}:{database['DBInstanceIdentifier']}"] = database["DbiResourceId"]
        for alias in pages(client("kms", region).list_aliases, "Aliases"):
            if not alias["AliasName"].startswith("alias/aws/") and alias.get("TargetKeyId"):
                found[f"kms:{region}:{alias['AliasName']}"] = alias["TargetKeyId"]
        for volume in client("ec2", region).describe_volumes(
            Filters=[{"Name": "tag:Role", "Values": ["git-data"]}]
        )["Volumes"]:
            found[f"ebs:{region}:{volume['VolumeId']}"] = volume["VolumeId"]
        for secret in pages(client("secretsmanager", region).list_secrets, "SecretList"):
            found[f"secret:{region}:{secret['Name']}"] = secret["ARN"]
    return found


def zone(arg):
    route53 = client("route53")
    for existing in route53.list_hosted_zones()["HostedZones"]:
        if existing["Name"].rstrip(".") == arg["name"]:
            return {"id": existing["Id"], "created": False}
    created = route53.create_hosted_zone(Name=arg["name"], CallerReference=f"drill-{arg['name']}")
    return {"id": created["HostedZone"]["Id"], "created": True}


def replicate(arg):
    source = client("s3", arg["sourceRegion"])
    destination = client("s3", arg["destinationRegion"])
    copied = []
    listing = source.get_paginator("list_objects_v2").paginate(Bucket=arg["source"])
    for item in (i for page in listing for i in page.get("Contents", [])):
        body = source.get_object(Bucket=arg["source"], Key=item["Key"])["Body"].read()
        # A replica is written under the rule's replica key (ReplicaKmsKeyID), as S3 does.
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": arg["replicaKmsKeyId"]} if arg.get("replicaKmsKeyId") else {}
        destination.put_object(Bucket=arg["destination"], Key=item["Key"], Body=body, **extra)
        copied.append(item["Key"])
    return {"copied": copied}


def encryption(arg):
    found = []
    for target in arg["buckets"]:
        s3 = client("s3", target["region"])
        listing = s3.get_paginator("list_objects_v2").paginate(Bucket=target["bucket"])
        for item in (i for page in listing for i in page.get("Contents", [])):
            head = s3.head_object(Bucket=target["bucket"], Key=item["Key"])
            found.append(
                {
                    "bucket": target["bucket"],
                    "key": item["Key"],
                    "sse": head.get("ServerSideEncryption"),
                    "kmsKeyId": head.get("SSEKMSKeyId"),
                }
            )
    return found


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


def facts(arg):
    iam = client("iam")
    managed = {}

    def customer_policy(arn):
        if arn not in managed:
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            managed[arn] = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        return managed[arn]

    roles = {}
    for role in pages(iam.list_roles, "Roles"):
        name = role["RoleName"]
        if not name.startswith(arg["prefix"]):
            continue
        found = iam.get_role(RoleName=name)["Role"]
        attached = [a["PolicyArn"] for a in pages(iam.list_attached_role_policies, "AttachedPolicies", RoleName=name)]
        boundary = (found.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        roles[name] = {
            "trust": found["AssumeRolePolicyDocument"],
            "inline": [{"name": p, "policy": iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]} for p in pages(iam.list_role_policies, "PolicyNames", RoleName=name)],
            "attached": attached,
            "boundary": boundary,
        }
    customer = {arn: customer_policy(arn) for r in roles.values() for arn in r["attached"] + ([r["boundary"]] if r["boundary"] else []) if ":aws:policy/" not in arn}
    profiles = {p["InstanceProfileName"]: [r["RoleName"] for r in p["Roles"]] for p in pages(iam.list_instance_profiles, "InstanceProfiles")}
    keys, tables, secrets, templates = [], {}, {}, {}
    for region in arg["regions"]:
        ec2 = client("ec2", region)
        for template in pages(ec2.describe_launch_templates, "LaunchTemplates"):
            versions = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Latest"])["LaunchTemplateVersions"]
            profile = (versions[0]["LaunchTemplateData"].get("IamInstanceProfile") or {}) if versions else {}
            for ref in (template["LaunchTemplateId"], template["LaunchTemplateName"]):
                templates[ref] = profile.get("Name") or profile.get("Arn")
        kms = client("kms", region)
        aliases = pages(kms.list_aliases, "Aliases")
        for key in pages(kms.list_keys, "Keys"):
            keys.append({
                "arn": key["KeyArn"],
                "aliases": [a["AliasName"] for a in aliases if a.get("TargetKeyId") == key["KeyId"]],
                "policy": json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]),
            })
        dynamodb = client("dynamodb", region)
        for table in pages(dynamodb.list_tables, "TableNames"):
            sse = dynamodb.describe_table(TableName=table)["Table"].get("SSEDescription") or {}
            tables[f"{region}/{table}"] = sse.get("KMSMasterKeyArn")
        for secret in pages(client("secretsmanager", region).list_secrets, "SecretList"):
            secrets[secret["ARN"]] = {"name": secret["Name"], "key": secret.get("KmsKeyId")}
    s3 = client("s3")
    buckets = {}
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        region = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
        try:
            rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
        except Exception:  # no default encryption configured
            rule = {}
        buckets[name] = {"region": region, "key": rule.get("KMSMasterKeyID")}
    return {"roles": roles, "customerPolicies": customer, "profiles": profiles, "launchTemplates": templates, "keys": keys, "tables": tables, "secrets": secrets, "buckets": buckets}


COMMANDS = {"observe": observe, "ids": ids, "zone": zone, "replicate": replicate, "encryption": encryption, "versions": versions, "restore": restore, "digest": digest, "facts": facts}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[2] not in COMMANDS:
        sys.exit(f"usage: aws_probe.py ENDPOINT {{{'|'.join(COMMANDS)}}} JSON")
    print(json.dumps(COMMANDS[sys.argv[2]](json.loads(sys.argv[3])), default=str))
