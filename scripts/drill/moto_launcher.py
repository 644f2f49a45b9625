"""Starts moto_server (the AWS emulator the DR drill applies the estate to) with two RDS fixes.

Usage: python3 moto_launcher.py PORT   (binds 127.0.0.1 only)

moto 5.2.1 gets two things wrong that a DR cycle depends on; each patch below says which and
why. Nothing else in moto is changed.
"""
import random
import string
import sys

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

if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: moto_launcher.py PORT")
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
