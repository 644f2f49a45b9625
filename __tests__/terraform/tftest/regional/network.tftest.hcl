# The regional network, planned by the real AWS provider (see tftest/README.md).

run "network_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_subnet.network_public_0.availability_zone == "zone-a" && aws_subnet.network_private_1.availability_zone == "zone-b" && aws_subnet.network_database_1.availability_zone == "zone-b"
    error_message = "Subnets must take their AZ from the availability-zones data source, slot by slot."
  }

  assert {
    condition     = aws_vpc.network_vpc.enable_dns_hostnames && aws_vpc.network_vpc.enable_dns_support
    error_message = "The VPC must resolve and assign DNS host names."
  }

  assert {
    condition     = aws_vpc.network_vpc.tags_all["ManagedBy"] == "cdktf" && aws_vpc.network_vpc.tags_all["Name"] != null && contains(["primary", "dr"], aws_vpc.network_vpc.tags_all["DrRole"])
    error_message = "The provider's default tags must reach every resource, merged with its own."
  }

  assert {
    condition     = aws_flow_log.network_flow_log.traffic_type == "ALL" && aws_flow_log.network_flow_log.max_aggregation_interval == 60
    error_message = "Flow logs must capture all traffic."
  }

  assert {
    condition     = aws_vpc_endpoint.network_s3_endpoint.vpc_endpoint_type == "Gateway"
    error_message = "The S3 endpoint must be a gateway endpoint."
  }
}
