"""Reads and prepares the emulated AWS for the DR drill, with boto3 (the AWS SDK for Python).

Usage: python3 aws_probe.py ENDPOINT COMMAND JSON-ARGUMENT   (prints one JSON document)

  observe   what each region runs: the app tier's Auto Scaling group, the Git server's state,
            the databases and whose replica each is, and the region each DNS record serves
  ids       the ids/ARNs of every stateful resource (state and Git buckets, lock tables,
            databases, KMS keys, Git volumes, secrets), to compare before and after a step
  zone      creates the public hosted zone the estate looks up (an operator creates it once)
  replicate carries out a bucket's replication rules as read back from the emulator (prefix,
            destination, replica key), which moto stores but never carries out
  encryption how each object of some buckets is encrypted (SSE type and KMS key), and the key
            the region's storage alias names
  versions  the versions of one object, newest first
  restore   makes an older version of an object the current one
  digest    stores an object's MD5 as Terraform's state digest in the lock table
  mutate    changes the estate out of band, one kind at a time (the drill's mutations: each
            must make a check fail)
  facts     what IAM evaluation needs, as the emulator holds it: the estate's roles (trust,
            policies, boundary), instance profiles, KMS keys (aliases, key policy), and the key
            each lock table, bucket and secret is encrypted under

Every call goes to ENDPOINT (the emulator on 127.0.0.1) with dummy credentials; nothing is
read from the caller's AWS configuration.
"""
import base64
import json
import re
import sys

from aws_common import client, pages
from aws_facts import facts
from aws_mutations import mutate
from aws_state import digest, restore, versions


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
        template = launch_template_of(region, asg[0]) if asg else None
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
            "launchTemplate": template,
        }
        load_balancers[region] = {
            lb["DNSName"].lower() for lb in client("elbv2", region).describe_load_balancers()["LoadBalancers"]
        }
    dns = {}
    route53 = client("route53")
    zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == arg["zone"]]
    failover = {}
    if zones:
        records = route53.list_resource_record_sets(HostedZoneId=zones[0]["Id"], MaxItems="300")["ResourceRecordSets"]
        for record in records:
            name = record["Name"].rstrip(".")
            if name not in arg["names"]:
                continue
            if record.get("Failover"):
                # Every failover record, with the region its health check probes: a duplicate
                # PRIMARY or a check on the wrong load balancer shows here.
                check = None
                if record.get("HealthCheckId"):
                    try:
                        config = route53.get_health_check(HealthCheckId=record["HealthCheckId"])["HealthCheck"]["HealthCheckConfig"]
                        check = region_of_dns_name(config.get("FullyQualifiedDomainName"), load_balancers) or config.get("FullyQualifiedDomainName")
                    except route53.exceptions.NoSuchHealthCheck:
                        check = "missing " + record["HealthCheckId"]
                region = region_of_dns_name((record.get("AliasTarget") or {}).get("DNSName"), load_balancers)
                failover.setdefault(name, []).append(
                    {"failover": record["Failover"], "setIdentifier": record.get("SetIdentifier"), "region": region, "healthCheck": check}
                )
                if "AliasTarget" in record:
                    # Traffic goes to the PRIMARY record while its health check passes, to the
                    # SECONDARY one (the standby route) while it fails.
                    dns[name if record["Failover"] == "PRIMARY" else "standby " + name] = region
            elif record["Type"] == "CNAME":
                target = record["ResourceRecords"][0]["Value"]
                dns[name] = next((r for r in regions if f".{r}." in f".{target}."), target)
    return {"regions": observed, "dns": dns, "failover": failover}


def launch_template_of(region, group):
    """The launch template version a group launches, the template's latest, and the database its app names."""
    spec = group.get("LaunchTemplate") or (group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification")
    if not spec:
        return None
    ec2 = client("ec2", region)
    template = ec2.describe_launch_templates(LaunchTemplateIds=[spec["LaunchTemplateId"]])["LaunchTemplates"][0]
    version = str(spec.get("Version") or "$Default")
    data = ec2.describe_launch_template_versions(LaunchTemplateId=spec["LaunchTemplateId"], Versions=[version])["LaunchTemplateVersions"][0]
    user_data = base64.b64decode(data["LaunchTemplateData"].get("UserData") or "").decode("utf-8", "replace")
    named = re.search(r'^DB_IDENTIFIER = "([^"]*)"', user_data, re.M)
    return {
        "version": version,
        "versionNumber": data["VersionNumber"],
        "latest": template["LatestVersionNumber"],
        "database": named.group(1) if named else None,
    }


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
        # Every KMS key, aliased or not (a replaced key keeps no alias of the old one's).
        for key in pages(client("kms", region).list_keys, "Keys"):
            found[f"kms-key:{region}:{key['KeyId']}"] = key["KeyArn"]
        eks = client("eks", region)
        for name in eks.list_clusters()["clusters"]:
            cluster = eks.describe_cluster(name=name)["cluster"]
            found[f"eks:{region}:{name}"] = cluster["arn"] + "@" + str(cluster.get("createdAt"))
        for balancer in pages(client("elbv2", region).describe_load_balancers, "LoadBalancers"):
            found[f"elb:{region}:{balancer['LoadBalancerName']}"] = balancer["LoadBalancerArn"]
        for topic in pages(client("sns", region).list_topics, "Topics"):
            found[f"sns:{region}:{topic['TopicArn'].split(':')[-1]}"] = topic["TopicArn"]
        for group in pages(client("logs", region).describe_log_groups, "logGroups"):
            found[f"logs:{region}:{group['logGroupName']}"] = f"{group['arn']}@{group.get('creationTime')}"
        for certificate in pages(client("acm", region).list_certificates, "CertificateSummaryList"):
            found[f"acm:{region}:{certificate['DomainName']}"] = certificate["CertificateArn"]
        # The Git server, by instance id: a replaced one is gone, a second one is new.
        for reservation in client("ec2", region).describe_instances(Filters=[{"Name": "tag:Role", "Values": ["git-server"]}])["Reservations"]:
            for instance in reservation["Instances"]:
                if instance["State"]["Name"] != "terminated":
                    found[f"git-instance:{region}:{instance['InstanceId']}"] = instance["InstanceId"]
    route53 = client("route53")
    for check in pages(route53.list_health_checks, "HealthChecks"):
        tags = route53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check["Id"])["ResourceTagSet"].get("Tags", [])
        name = next((t["Value"] for t in tags if t["Key"] == "Name"), check["Id"])
        found[f"health-check:{name}"] = check["Id"]
    return found


def zone(arg):
    route53 = client("route53")
    for existing in route53.list_hosted_zones()["HostedZones"]:
        if existing["Name"].rstrip(".") == arg["name"]:
            return {"id": existing["Id"], "created": False}
    created = route53.create_hosted_zone(Name=arg["name"], CallerReference=f"drill-{arg['name']}")
    return {"id": created["HostedZone"]["Id"], "created": True}


def replicate(arg):
    """Carries out a bucket's replication rules as the emulator holds them (moto stores them but
    copies nothing): each enabled rule's prefix, destination bucket and replica key, read back.
    Destinations in a dark region are left alone."""
    source = client("s3", arg["sourceRegion"])
    try:
        rules = source.get_bucket_replication(Bucket=arg["source"])["ReplicationConfiguration"]["Rules"]
    except source.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError":
            return []
        raise
    done = []
    for rule in rules:
        if rule.get("Status") != "Enabled":
            continue
        criteria = rule.get("Filter") or {}
        prefix = criteria.get("Prefix", (criteria.get("And") or {}).get("Prefix", rule.get("Prefix", "")))
        destination_bucket = rule["Destination"]["Bucket"].split(":::")[-1]
        region = source.get_bucket_location(Bucket=destination_bucket).get("LocationConstraint") or "us-east-1"
        replica_key = (rule["Destination"].get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID")
        entry = {"rule": rule.get("ID"), "source": arg["source"], "destination": destination_bucket, "destinationRegion": region, "prefix": prefix, "replicaKey": replica_key, "copied": 0}
        done.append(entry)
        if region in arg.get("dark", []):
            entry["skipped"] = "dark"
            continue
        destination = client("s3", region)
        listing = source.get_paginator("list_objects_v2").paginate(Bucket=arg["source"], Prefix=prefix)
        for item in (i for page in listing for i in page.get("Contents", [])):
            body = source.get_object(Bucket=arg["source"], Key=item["Key"])["Body"].read()
            # A replica is written under the rule's replica key (ReplicaKmsKeyID), as S3 does.
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": replica_key} if replica_key else {}
            destination.put_object(Bucket=destination_bucket, Key=item["Key"], Body=body, **extra)
            entry["copied"] += 1
    return done


def key_arn(key_id, region):
    """The ARN of the key an id, alias, key ARN or alias ARN names (AWS reports the key ARN; moto
    keeps what was written). An ARN is resolved in its own region."""
    if not key_id:
        return None
    if key_id.startswith("arn:"):
        region = key_id.split(":")[3]
    try:
        return client("kms", region).describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    except Exception:  # no such key or alias: report what was stored
        return key_id


def encryption(arg):
    found = []
    for target in arg["buckets"]:
        s3 = client("s3", target["region"])
        # The region's own storage key: what its alias names.
        kms = client("kms", target["region"])
        alias = next((a for a in pages(kms.list_aliases, "Aliases") if a["AliasName"] == target.get("alias")), None)
        region_key = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"] if alias and alias.get("TargetKeyId") else None
        listing = s3.get_paginator("list_objects_v2").paginate(Bucket=target["bucket"])
        for item in (i for page in listing for i in page.get("Contents", [])):
            head = s3.head_object(Bucket=target["bucket"], Key=item["Key"])
            found.append(
                {
                    "bucket": target["bucket"],
                    "key": item["Key"],
                    "sse": head.get("ServerSideEncryption"),
                    "kmsKeyId": key_arn(head.get("SSEKMSKeyId"), target["region"]),
                    "regionKey": region_key,
                }
            )
    return found


COMMANDS = {"observe": observe, "ids": ids, "zone": zone, "replicate": replicate, "encryption": encryption, "versions": versions, "restore": restore, "digest": digest, "facts": facts, "mutate": mutate}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[2] not in COMMANDS:
        sys.exit(f"usage: aws_probe.py ENDPOINT {{{'|'.join(COMMANDS)}}} JSON")
    print(json.dumps(COMMANDS[sys.argv[2]](json.loads(sys.argv[3])), default=str))
