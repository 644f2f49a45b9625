"""The drill's `facts` probe: what IAM evaluation needs, as the emulator holds it."""
import json

from aws_common import client, pages


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
