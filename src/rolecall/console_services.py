"""Console service shortcuts: `-s SERVICE` → path under the console host.

Stdlib only, no imports: completion and the console command both read this table.
A name not in the table is used as a console path as given (`-s some/path`).
"""

from __future__ import annotations

# shortcut → console path (joined after "https://<region>.console.<domain>/")
SERVICES: dict[str, str] = {
    "acm": "acm/home",
    "apigateway": "apigateway/main",
    "athena": "athena/home",
    "backup": "backup/home",
    "billing": "billing/home",
    "cloudfront": "cloudfront/v4/home",
    "cloudformation": "cloudformation/home",
    "cloudtrail": "cloudtrail/home",
    "cloudwatch": "cloudwatch/home",
    "codebuild": "codesuite/codebuild/home",
    "codecommit": "codesuite/codecommit/home",
    "codepipeline": "codesuite/codepipeline/home",
    "cognito": "cognito/home",
    "config": "config/home",
    "costexplorer": "cost-management/home",
    "dynamodb": "dynamodbv2/home",
    "ebs": "ec2/home#Volumes:",
    "ec2": "ec2/home",
    "ecr": "ecr/home",
    "ecs": "ecs/v2/home",
    "efs": "efs/home",
    "eks": "eks/home",
    "elasticache": "elasticache/home",
    "eventbridge": "events/home",
    "glue": "glue/home",
    "guardduty": "guardduty/home",
    "iam": "iam/home",
    "kinesis": "kinesis/home",
    "kms": "kms/home",
    "lambda": "lambda/home",
    "logs": "cloudwatch/home#logsV2:log-groups",
    "opensearch": "aos/home",
    "organizations": "organizations/v2/home",
    "rds": "rds/home",
    "redshift": "redshiftv2/home",
    "route53": "route53/v2/home",
    "s3": "s3/home",
    "secretsmanager": "secretsmanager/home",
    "securityhub": "securityhub/home",
    "ses": "ses/home",
    "sns": "sns/v3/home",
    "sqs": "sqs/v3/home",
    "sso": "singlesignon/home",
    "ssm": "systems-manager/home",
    "stepfunctions": "states/home",
    "support": "support/home",
    "vpc": "vpc/home",
    "waf": "wafv2/homev2",
}

# Services whose console is global: the URL gets neither a region subdomain nor ?region=.
GLOBAL_SERVICES: frozenset[str] = frozenset(
    {"billing", "cloudfront", "costexplorer", "iam", "organizations", "route53", "support"}
)
