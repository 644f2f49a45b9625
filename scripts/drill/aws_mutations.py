"""The drill's `mutate` probe: the estate changed out of band, one kind at a time (each must make
one of the drill's checks fail; scripts/drill/mutations.ts)."""
from aws_common import client


def mutate(arg):
    """Changes the emulated estate out of band (the drill's mutations): what it did, and how to undo it."""
    kind, region = arg["kind"], arg.get("region", "us-east-1")
    if kind in ("git-stop", "git-start"):
        ec2 = client("ec2", region)
        ids = [
            i["InstanceId"]
            for r in ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [arg["name"]]}])["Reservations"]
            for i in r["Instances"]
            if i["State"]["Name"] != "terminated"
        ]
        (ec2.stop_instances if kind == "git-stop" else ec2.start_instances)(InstanceIds=ids)
        return {"instances": ids}
    if kind == "dns-swap":
        # The PRIMARY and SECONDARY failover records of a name trade their targets and health checks.
        route53 = client("route53")
        zone = next(z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == arg["zone"])
        records = [
            r
            for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"], MaxItems="300")["ResourceRecordSets"]
            if r["Name"].rstrip(".") == arg["name"] and r.get("Failover")
        ]
        primary = next(r for r in records if r["Failover"] == "PRIMARY")
        secondary = next(r for r in records if r["Failover"] == "SECONDARY")
        changes = []
        for record, other in ((primary, secondary), (secondary, primary)):
            swapped = dict(record, AliasTarget=other["AliasTarget"])
            if other.get("HealthCheckId"):
                swapped["HealthCheckId"] = other["HealthCheckId"]
            changes.append({"Action": "UPSERT", "ResourceRecordSet": swapped})
        route53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": changes})
        return {"swapped": [primary["SetIdentifier"], secondary["SetIdentifier"]]}
    if kind == "asg-version":
        autoscaling = client("autoscaling", region)
        group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[arg["asg"]])["AutoScalingGroups"][0]
        before = group["LaunchTemplate"]["Version"]
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=arg["asg"],
            LaunchTemplate={"LaunchTemplateId": group["LaunchTemplate"]["LaunchTemplateId"], "Version": str(arg["version"])},
        )
        return {"before": before}
    if kind == "db-backup-retention":
        rds = client("rds", region)
        before = rds.describe_db_instances(DBInstanceIdentifier=arg["identifier"])["DBInstances"][0]["BackupRetentionPeriod"]
        rds.modify_db_instance(DBInstanceIdentifier=arg["identifier"], BackupRetentionPeriod=arg["days"], ApplyImmediately=True)
        return {"before": before}
    if kind == "db-create":
        client("rds", region).create_db_instance(
            DBInstanceIdentifier=arg["identifier"], DBInstanceClass="db.t3.micro", Engine="postgres",
            MasterUsername="rogue", MasterUserPassword="rogue-password-1", AllocatedStorage=20,
        )
        return {"created": arg["identifier"]}
    if kind == "db-delete":
        rds = client("rds", region)
        rds.modify_db_instance(DBInstanceIdentifier=arg["identifier"], DeletionProtection=False, ApplyImmediately=True)
        rds.delete_db_instance(DBInstanceIdentifier=arg["identifier"], SkipFinalSnapshot=True)
        return {"deleted": arg["identifier"]}
    if kind == "db-as-replica":
        # The writer replaced by a replica of another database under the same identifier: a
        # switch that never promoted (or a writer quietly re-attached).
        rds = client("rds", region)
        found = rds.describe_db_instances(DBInstanceIdentifier=arg["identifier"])["DBInstances"][0]
        rds.modify_db_instance(DBInstanceIdentifier=arg["identifier"], DeletionProtection=False, ApplyImmediately=True)
        rds.delete_db_instance(DBInstanceIdentifier=arg["identifier"], SkipFinalSnapshot=True)
        rds.create_db_instance_read_replica(
            DBInstanceIdentifier=arg["identifier"], SourceDBInstanceIdentifier=arg["sourceArn"], DBInstanceClass=found["DBInstanceClass"],
        )
        return {"replaced": arg["identifier"], "replicates": arg["sourceArn"]}
    if kind == "table-recreate":
        # As someone who means it would: deletion protection off, the table deleted, created again
        # empty with the same key and protection (its ARN is the same; its creation time is not).
        dynamodb = client("dynamodb", region)
        table = dynamodb.describe_table(TableName=arg["table"])["Table"]
        protected = bool(table.get("DeletionProtectionEnabled"))
        if protected:
            dynamodb.update_table(TableName=arg["table"], DeletionProtectionEnabled=False)
        dynamodb.delete_table(TableName=arg["table"])
        dynamodb.create_table(
            TableName=arg["table"], KeySchema=table["KeySchema"], AttributeDefinitions=table["AttributeDefinitions"], BillingMode="PAY_PER_REQUEST",
            DeletionProtectionEnabled=protected,
        )
        return {"recreated": arg["table"]}
    raise ValueError(f"unknown mutation {kind}")
