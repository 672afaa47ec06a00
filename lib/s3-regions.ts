// The regions distribution's s3-aws driver accepts when no `regionendpoint` is given: every region of every default
// partition of aws-sdk-go v1.55.5, the SDK registry 3.1.2 is built with. Printed by a Go program calling
// endpoints.DefaultPartitions() (see scripts/s3-regions.go). The driver refuses any other region at start
// ("invalid region provided"); registry 2.8.3's older SDK knows a subset of these.
/** @internal */
export const S3_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1',
  'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ca-central-1', 'ca-west-1', 'cn-north-1', 'cn-northwest-1', 'eu-central-1',
  'eu-central-2', 'eu-isoe-west-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1',
  'me-central-1', 'me-south-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-gov-east-1', 'us-gov-west-1', 'us-iso-east-1', 'us-iso-west-1',
  'us-isob-east-1', 'us-west-1', 'us-west-2',
];
