# Data sources of a regional stack that would call AWS, given fixed values. The runner puts
# this file in front of every regional test file (an override whose target a stack does not
# have, such as the caller identity outside the DR replica's stack, is only a warning).

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
  target = data.aws_eks_addon_version.eks_vpc_cni_default_version
  values = { version = "v1.0.0-eksbuild.1" }
}

override_data {
  target = data.aws_eks_addon_version.eks_coredns_default_version
  values = { version = "v1.0.0-eksbuild.1" }
}

override_data {
  target = data.aws_eks_addon_version.eks_kube_proxy_default_version
  values = { version = "v1.0.0-eksbuild.1" }
}

override_data {
  target = data.aws_eks_addon_version.eks_eks_pod_identity_agent_default_version
  values = { version = "v1.0.0-eksbuild.1" }
}

override_data {
  target = data.aws_eks_addon_version.eks_aws_ebs_csi_driver_default_version
  values = { version = "v1.0.0-eksbuild.1" }
}

# The promotion guard of a promoted database: the replica exists.
override_data {
  target = data.aws_db_instances.database_instance_2_exists
  values = { instance_identifiers = ["dr-estate-prod-db-2"] }
}

override_data {
  target = data.aws_db_instances.database_instance_3_exists
  values = { instance_identifiers = ["dr-estate-prod-db-3"] }
}
