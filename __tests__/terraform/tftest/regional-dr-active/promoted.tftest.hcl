# The DR database once the DR site is active: the replica promoted (no replication source).

run "promoted_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_db_instance.database_instance_2.replicate_source_db == null && aws_db_instance.database_instance_2.backup_retention_period >= 7
    error_message = "The promoted DR database must stand alone and keep backups."
  }

  assert {
    condition     = aws_db_instance.database_instance_2.manage_master_user_password == null && aws_db_instance.database_instance_2.password_wo_version == 1
    error_message = "The promoted DR database takes its password write-only from the estate's secret, never an RDS-managed one (which would forbid the next replica)."
  }

  assert {
    condition     = aws_ec2_instance_state.git_state.state == "running" && aws_autoscaling_group.app_asg.desired_capacity == 3
    error_message = "The active region runs its Git server and the full app tier."
  }
}

run "empty_writer_refused" {
  command = plan

  plan_options {
    refresh = false
  }

  # The replica to promote does not exist (a reprotect skipped in config): the plan must stop.
  override_data {
    target = data.aws_db_instances.database_instance_2_exists
    values = { instance_identifiers = [] }
  }

  expect_failures = [aws_db_instance.database_instance_2]
}
