# The DR database while the DR site is passive: a cross-region replica named by ARN.

override_data {
  target = data.aws_availability_zones.network_azs
  values = {
    names = ["zone-a", "zone-b", "zone-c", "zone-d"]
  }
}

override_data {
  target = data.aws_route53_zone.zone
  values = { zone_id = "Z0OFFLINEZONE", name = "estate.example.org" }
}

override_data {
  target = data.aws_ssm_parameter.git_ami
  values = { insecure_value = "ami-0123456789abcdef0", value = "ami-0123456789abcdef0", type = "String" }
}

override_data {
  target = data.aws_caller_identity.account
  values = { account_id = "123456789012" }
}

run "replica_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_db_instance.database_instance.replicate_source_db == "arn:aws:rds:us-east-2:123456789012:db:${aws_db_instance.database_instance.identifier}"
    error_message = "The DR database must replicate the primary, named by its ARN in the primary region."
  }

  assert {
    condition     = aws_ec2_instance_state.git_state.state == "stopped" && aws_autoscaling_group.app_asg.desired_capacity == 0
    error_message = "A passive region keeps its Git mirror stopped and runs no app servers."
  }
}
