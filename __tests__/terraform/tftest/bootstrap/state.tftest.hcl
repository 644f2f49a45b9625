# The state bucket and lock table of a region, planned by the real AWS provider.

run "state_backend_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_s3_bucket.state_bucket.force_destroy == false
    error_message = "The state bucket must refuse to be emptied on destroy."
  }

  assert {
    condition     = aws_s3_bucket_versioning.state_versioning.versioning_configuration[0].status == "Enabled"
    error_message = "State versions must be kept."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.state_public_access_block.block_public_acls && aws_s3_bucket_public_access_block.state_public_access_block.restrict_public_buckets
    error_message = "The state bucket must not be public."
  }

  assert {
    condition     = aws_dynamodb_table.state_lock_table.hash_key == "LockID" && aws_dynamodb_table.state_lock_table.billing_mode == "PAY_PER_REQUEST"
    error_message = "The lock table must be keyed by LockID, on demand."
  }

  assert {
    condition     = aws_dynamodb_table.state_lock_table.deletion_protection_enabled && aws_dynamodb_table.state_lock_table.point_in_time_recovery[0].enabled && aws_dynamodb_table.state_lock_table.server_side_encryption[0].enabled
    error_message = "The lock table must be protected from deletion, recoverable and encrypted."
  }
}
