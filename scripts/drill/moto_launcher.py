"""Starts moto_server (the AWS emulator the DR drill applies the estate to) with its fixes.

Usage: python3 moto_launcher.py PORT   (binds 127.0.0.1 only)

moto 5.2.1 gets five things wrong that a DR cycle depends on (two in RDS, one in Route 53, one
in S3, one in EC2 launch templates) and lacks one API it calls (Auto Scaling instance refresh);
each patch below says which and why. Nothing else in moto is changed. With DRILL_CALLS_FILE set, every request is also
recorded there, one JSON line each (see 7. below), for the drill's permission proof.
"""
import base64
import json
import os
import random
import string
import sys
import threading

from moto.rds import models as rds
from moto.server import main


def _new_dbi_resource_id():
    return "db-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=26))


# 1. Every DB instance gets the same DbiResourceId (a constant in DBInstance.__init__, and a
#    replica is a copy of its source). The AWS provider reads instances by that id, so with two
#    instances in one region (a reprotect's new replica beside the detached old writer) the new
#    one "cannot be found", is tainted, and the next plan wants to replace it. AWS gives each
#    instance its own id.
_init = rds.DBInstance.__init__


def _init_with_own_id(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.dbi_resource_id = _new_dbi_resource_id()


rds.DBInstance.__init__ = _init_with_own_id

_create_replica = rds.RDSBackend.create_db_instance_read_replica


def _create_replica_with_own_id(self, db_kwargs):
    replica = _create_replica(self, db_kwargs)
    replica.dbi_resource_id = _new_dbi_resource_id()
    return replica


rds.RDSBackend.create_db_instance_read_replica = _create_replica_with_own_id

# 2. PromoteReadReplica leaves the instance naming its source (and the source listing it), so
#    Terraform plans the promotion again on every run. On AWS a promoted instance is standalone.
_promote = rds.RDSBackend.promote_read_replica


def _promote_and_detach(self, db_kwargs):
    database = self.databases[db_kwargs["db_instance_identifier"]]
    source_id = database.source_db_instance_identifier
    promoted = _promote(self, db_kwargs)
    if source_id:
        try:
            source = self.find_db_from_id(source_id)
            for entry in (promoted.db_instance_identifier, promoted.db_instance_arn):
                if entry in source.replicas:
                    source.replicas.remove(entry)
        except Exception:  # the source may be gone (its region dark): nothing to detach from
            pass
        promoted.source_db_instance_identifier = None
    return promoted


rds.RDSBackend.promote_read_replica = _promote_and_detach

# 3. Route 53 refuses a CREATE whose exact change it journaled before whenever any record at or
#    after its name exists, whatever its set identifier (ChangeList.__contains__ on the journal,
#    then a listing from that name): a failover record deleted and created again as it was (the
#    standby route, removed by a switch and restored by the reprotect) fails with
#    InvalidChangeBatch "already exists". AWS refuses a CREATE only when a record with the same
#    name, type and set identifier exists (Route 53 API Reference, ChangeResourceRecordSets).
from moto.route53 import models as route53  # noqa: E402
from moto.route53.exceptions import ResourceRecordAlreadyExists  # noqa: E402

_change_records = route53.Route53Backend.change_resource_record_sets


def _change_records_as_aws(self, zoneid, change_list):
    zone = self.get_hosted_zone(zoneid)
    for value in change_list:
        record = value["ResourceRecordSet"]
        if value["Action"] != "CREATE":
            continue
        name = record["Name"].strip(".")
        for existing in zone.rrsets:
            if existing.name.strip(".") == name and existing.type == record["Type"] and existing.set_identifier == record.get("SetIdentifier"):
                raise ResourceRecordAlreadyExists(name=name + ".", _type=record["Type"])
    return _change_records(self, zoneid, change_list)


route53.Route53Backend.change_resource_record_sets = _change_records_as_aws
# The journal check it replaces.
route53.ChangeList.__contains__ = lambda self, item: False

# 4. Auto Scaling has no instance refresh: StartInstanceRefresh is not implemented, so the
#    provider, which starts one whenever a group's launch template version changes (a reprotect
#    names a new database in the app's user data), retries until the apply times out. On AWS the
#    refresh replaces the group's instances; emulated instances never boot, so here a refresh is
#    recorded as started and reads back as finished (StartInstanceRefresh,
#    DescribeInstanceRefreshes, CancelInstanceRefresh in the Auto Scaling API Reference).
import uuid  # noqa: E402

from moto.autoscaling import responses as autoscaling_responses  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402

_refreshes = {}


def _start_instance_refresh(self):
    group = self._get_param("AutoScalingGroupName")
    self.autoscaling_backend.describe_auto_scaling_groups([group])
    refresh = {
        "InstanceRefreshId": str(uuid.uuid4()),
        "AutoScalingGroupName": group,
        "Status": "Successful",
        "PercentageComplete": 100,
        "InstancesToUpdate": 0,
    }
    _refreshes.setdefault((self.current_account, self.region, group), []).insert(0, refresh)
    return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})


def _describe_instance_refreshes(self):
    group = self._get_param("AutoScalingGroupName")
    return ActionResult({"InstanceRefreshes": _refreshes.get((self.current_account, self.region, group), [])})


def _cancel_instance_refresh(self):
    from moto.autoscaling.exceptions import AutoscalingClientError

    raise AutoscalingClientError("ActiveInstanceRefreshNotFound", "No in progress or pending Instance Refresh found")


autoscaling_responses.AutoScalingResponse.start_instance_refresh = _start_instance_refresh
autoscaling_responses.AutoScalingResponse.describe_instance_refreshes = _describe_instance_refreshes
autoscaling_responses.AutoScalingResponse.cancel_instance_refresh = _cancel_instance_refresh

# 5. GetBucketReplication answers every rule with an empty prefix filter, delete marker
#    replication Disabled and no source selection criteria, whatever was put: a rule that copies
#    only `git/` reads back as one that copies everything. AWS returns the rule as it was put
#    (GetBucketReplication, S3 API Reference); so does this, from what moto stored.
from moto.s3 import responses as s3_responses  # noqa: E402
from moto.s3.exceptions import ReplicationConfigurationNotFoundError  # noqa: E402


def _replication_rule_as_put(rule):
    answer = {key: rule[key] for key in ("ID", "Priority", "Status", "Destination") if key in rule}
    criteria = rule.get("Filter") or {}
    if criteria.get("And"):
        answer["Filter"] = {"And": {**criteria["And"], "Prefix": criteria["And"].get("Prefix") or ""}}
    elif criteria.get("Tag"):
        answer["Filter"] = {"Tag": criteria["Tag"]}
    else:
        answer["Filter"] = {"Prefix": criteria.get("Prefix") or rule.get("Prefix") or ""}
    answer["DeleteMarkerReplication"] = rule.get("DeleteMarkerReplication") or {"Status": "Disabled"}
    if rule.get("SourceSelectionCriteria"):
        answer["SourceSelectionCriteria"] = rule["SourceSelectionCriteria"]
    return answer


def _get_bucket_replication_as_put(self):
    self.data["Action"] = "GetBucketReplication"
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
    rules = [_replication_rule_as_put(rule) for rule in replication["Rule"]]
    return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))


s3_responses.S3Response.get_bucket_replication = _get_bucket_replication_as_put

# 6. CreateLaunchTemplateVersion keeps the new version's user data as a plain string (the first
#    version's is parsed as base64), so launching from any later version fails an assertion
#    (a 500, retried by the provider until the apply times out): a failback that scales a group
#    up on the template a reprotect updated never completes. AWS launches from any version.
from moto.ec2.models import launch_templates as ec2_launch_templates  # noqa: E402
from moto.ec2.utils import parse_user_data  # noqa: E402

_create_version = ec2_launch_templates.LaunchTemplate.create_version


def _create_version_with_parsed_user_data(self, data, description):
    if isinstance(data.get("UserData"), (str, bytes)):
        data = {**data, "UserData": parse_user_data(data["UserData"])}
    return _create_version(self, data, description)


ec2_launch_templates.LaunchTemplate.create_version = _create_version_with_parsed_user_data

# 7. The request recorder (MOTO_ENABLE_RECORDING) writes each entry with two unlocked writes,
#    so two requests served at once can interleave their lines, and it keeps whole bodies
#    (a state file per S3 PUT). The drill needs, per request, who signed it (the credential
#    scope of the Authorization header: access key id, region, service), what it asked (method,
#    URL, X-Amz-Target, body) and nothing secret: the signature is dropped, object bodies too.
CALLS_FILE = os.environ.get("DRILL_CALLS_FILE")
_calls_lock = threading.Lock()
_KEPT_HEADERS = ("X-Amz-Target", "Content-Type", "X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Copy-Source")


def _record_call(self, request, body=None):
    from urllib.parse import urlparse

    url = urlparse(request.url)
    if url.path.startswith("/moto-api"):
        return
    if body is None:
        try:
            size = int(request.headers.get("Content-Length") or 0)
            body = request.environ["wsgi.input"].read(size) if size else b""
            request.environ["wsgi.input"] = __import__("io").BytesIO(body)
        except (AttributeError, KeyError, ValueError):
            body = b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    authorization = request.headers.get("Authorization", "")
    scope = authorization.split("Credential=", 1)[1].split(",", 1)[0] if "Credential=" in authorization else ""
    headers = {k: request.headers[k] for k in _KEPT_HEADERS if k in request.headers}
    is_object_put = request.method == "PUT" and "/s3/" in scope and url.path.count("/") >= 2 and not url.query.replace("x-id=PutObject", "")
    entry = {
        "method": request.method,
        "url": request.url,
        "credential": scope,
        "headers": headers,
        "body": "" if is_object_put else base64.b64encode(body[:65536]).decode("ascii"),
    }
    line = (json.dumps(entry) + "\n").encode("utf-8")
    with _calls_lock:
        fd = os.open(CALLS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


if CALLS_FILE:
    from moto.moto_api._internal.recorder.models import Recorder

    Recorder._record_request = _record_call

if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: moto_launcher.py PORT")
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
