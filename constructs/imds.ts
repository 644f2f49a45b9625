/**
 * Instance metadata settings of every instance and launch template of the estate: IMDSv2 only
 * (session tokens required: CKV_AWS_79), and a response hop limit of 1, so a process in a
 * container on the pod or bridge network cannot reach the instance's role (CKV_AWS_341; the EKS
 * nodes' reasons are in eks-cluster.ts).
 */
export const IMDS_V2_ONLY = {
  httpEndpoint: 'enabled',
  httpTokens: 'required',
  httpPutResponseHopLimit: 1,
} as const;
