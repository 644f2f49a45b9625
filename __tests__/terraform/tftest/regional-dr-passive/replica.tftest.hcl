# The DR database while the DR site is passive: a cross-region replica named by ARN.

run "replica_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = can(regex("^arn:aws:rds:us-east-2:111122223333:db:.+-db-1$", aws_db_instance.database_instance_2.replicate_source_db))
    error_message = "The DR database (incarnation 2) must replicate incarnation 1 on the primary site, named by its ARN in the primary region, in the account the config pins."
  }

  assert {
    condition     = aws_ec2_instance_state.git_state.state == "stopped" && aws_autoscaling_group.app_asg.desired_capacity == 0
    error_message = "A passive region keeps its Git mirror stopped and runs no app servers."
  }
}
