# The regional workload (app tier, database, Git server), planned by the real AWS provider.

run "workload_plan" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_lb.app_alb.drop_invalid_header_fields && !aws_lb.app_alb.internal && aws_lb.app_alb.load_balancer_type == "application"
    error_message = "The app load balancer must be internet-facing and drop invalid headers."
  }

  assert {
    condition     = aws_launch_template.app_launch_template.metadata_options[0].http_tokens == "required" && aws_launch_template.app_launch_template.key_name == null
    error_message = "App servers must require IMDSv2 and have no key pair."
  }

  assert {
    condition     = aws_autoscaling_group.app_asg.max_size == 3 && aws_autoscaling_group.app_asg.health_check_type == "ELB"
    error_message = "The app tier must scale to 3 with ELB health checks."
  }

  assert {
    condition     = aws_lb_target_group.app_targets.health_check[0].path == "/healthz"
    error_message = "The target group must health-check the app."
  }

  assert {
    condition     = aws_instance.git_instance.ami == "ami-0123456789abcdef0" && aws_instance.git_instance.metadata_options[0].http_tokens == "required" && aws_instance.git_instance.associate_public_ip_address == false
    error_message = "The Git server must take the SSM AMI, require IMDSv2 and have no public IP."
  }

  assert {
    condition     = aws_ebs_volume.git_data_volume.encrypted && aws_ebs_volume.git_data_volume.availability_zone == "zone-a"
    error_message = "The repository volume must be encrypted and in the server's AZ."
  }

  assert {
    condition     = aws_eks_cluster.eks_cluster.vpc_config[0].endpoint_private_access && aws_eks_cluster.eks_cluster.access_config[0].authentication_mode == "API" && aws_eks_cluster.eks_cluster.access_config[0].bootstrap_cluster_creator_admin_permissions == false
    error_message = "The EKS API must be private and granted by access entries only."
  }

  assert {
    condition     = length(aws_eks_cluster.eks_cluster.encryption_config) == 1 && length(aws_eks_cluster.eks_cluster.enabled_cluster_log_types) == 5
    error_message = "EKS secrets must be encrypted and every control-plane log type kept."
  }

  assert {
    condition     = aws_eks_node_group.eks_nodes_0.scaling_config[0].min_size + aws_eks_node_group.eks_nodes_1.scaling_config[0].min_size == 2 && aws_eks_node_group.eks_nodes_0.instance_types[0] == "t3.medium" && aws_eks_node_group.eks_nodes_1.instance_types[0] == "t3.medium"
    error_message = "The cluster must run two t3.medium nodes at least, one per node group."
  }

  assert {
    condition     = aws_eks_addon.eks_addon_vpc_cni.addon_version == "v1.0.0-eksbuild.1"
    error_message = "Add-ons must run the version resolved for the cluster's Kubernetes version."
  }
}
