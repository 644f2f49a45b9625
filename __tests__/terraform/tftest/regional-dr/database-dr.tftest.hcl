# The dr site's database (incarnation 2 in the committed config), planned by the real provider.

run "database_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_db_instance.database_instance_2.multi_az && aws_db_instance.database_instance_2.storage_encrypted && aws_db_instance.database_instance_2.deletion_protection
    error_message = "The database must be Multi-AZ, encrypted and deletion-protected."
  }

  assert {
    condition     = aws_db_instance.database_instance_2.skip_final_snapshot == false && endswith(aws_db_instance.database_instance_2.final_snapshot_identifier, "-final")
    error_message = "Deleting the database must leave a final snapshot."
  }
}
