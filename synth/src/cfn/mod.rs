//! Typed L1 resources, generated from the CloudFormation schemas.
