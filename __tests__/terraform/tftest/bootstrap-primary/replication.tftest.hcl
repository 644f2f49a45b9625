# Replication of the primary state bucket into the DR region, planned by the real provider.

run "replication_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_s3_bucket_replication_configuration.state_replication.rule[0].status == "Enabled" && aws_s3_bucket_replication_configuration.state_replication.rule[0].delete_marker_replication[0].status == "Enabled"
    error_message = "Every state object and delete marker must replicate."
  }

  assert {
    condition     = startswith(aws_s3_bucket_replication_configuration.state_replication.rule[0].destination[0].bucket, "arn:aws:s3:::")
    error_message = "State must replicate into a bucket named by ARN."
  }
}
