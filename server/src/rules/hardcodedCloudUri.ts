import type { Node } from 'web-tree-sitter';
import { literalPrefix, type ResolvedValue } from '../semantic/model';
import { field } from '../semantic/nodes';
import { PATH_NAME, pathSinkArguments } from './shared/pathSinks';
import {
  envFix,
  isSettingsField,
  magicArguments,
  reachesText,
  reportedLiteral,
  shown,
} from './shared/paths';
import { defineRule, py } from './types';

/** Object stores and distributed file systems: `s3://bucket/key`, `abfss://container@account/...`. */
const CLOUD_SCHEME = /^(s3|s3a|s3n|gs|gcs|az|abfs|abfss|wasb|wasbs|adl|hdfs|hf):\/\//i;
/** Databricks' file system is written with a single slash: `dbfs:/FileStore/...`. */
const DBFS_SCHEME = /^dbfs:\/+/i;

/** Names that say a cloud location, beyond the path names: `MODEL_URI`, `DATA_BUCKET`, `s3_prefix`. */
const CLOUD_NAME = /(^|_)(uri|uris|url|urls|bucket|location|prefix)$/i;

/**
 * The scheme of a value that is a hardcoded cloud location, or undefined. The bucket (or container,
 * or host) must be written out: `f"s3://{bucket}/{key}"` only hardcodes the scheme. `prefix` is
 * the literal text before the first interpolation; `complete` says whether there is none.
 */
export function cloudScheme(prefix: string, complete: boolean): string | undefined {
  const match = CLOUD_SCHEME.exec(prefix) ?? DBFS_SCHEME.exec(prefix);
  if (!match) return undefined;
  if (prefix.length > 400 || /[\s<>]/.test(prefix)) return undefined;
  const rest = prefix.slice(match[0].length).replace(/^\/+/, '');
  if (!rest) return undefined;
  // `f"s3://team-{env}/..."`: the bucket name itself is interpolated.
  if (!complete && !rest.includes('/')) return undefined;
  return match[0].replace(/\/+$/, '');
}

export const hardcodedCloudUri = defineRule({
  code: 'MLH202',
  name: 'hardcoded-cloud-uri',
  family: 'paths',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  fix: 'sometimes',
  triggers: ['://', 'dbfs:/'],
  docs: {
    summary:
      'A hardcoded cloud storage URI (`s3://`, `gs://`, `abfss://`, `dbfs:/`, …) reaches I/O.',
    why:
      'A bucket written into the code ties the job to one account and one environment: staging ' +
      "reads production data, a colleague's run fails with AccessDenied, and moving the data means " +
      'editing and redeploying code. The same holds for Azure containers, HDFS clusters, Databricks ' +
      'DBFS and Hugging Face `hf://` locations.',
    howToFix:
      'Read the location from configuration (an environment variable, a CLI argument or a config ' +
      'file) and keep the literal at most as a documented default. Strings that only mention a URI ' +
      '(log messages, docs) are not reported; a URI is judged where it reaches I/O (pandas/polars ' +
      'readers and writers, `fsspec.open`, `smart_open.open`, `tf.io.gfile`, Spark ' +
      '`spark.read`/`df.write`, `mlflow.set_tracking_uri`, file system objects such as `s3fs`) or ' +
      'when it is assigned to a name that says location (`*_PATH`, `*_DIR`, `*_URI`, `*_BUCKET`).',
    fixSafety:
      'The fix wraps the literal in `os.environ.get("NAME", "<literal>")` and adds `import os` once; ' +
      'behaviour is unchanged while the variable is unset, so the fix is safe.',
    examples: {
      invalid: [
        py`
          import pandas as pd

          df = pd.read_parquet("s3://churn-data/features/train.parquet")
        `,
        py`
          MODEL_URI = "gs://ml-models/churn/v3"
        `,
        py`
          from pyspark.sql import SparkSession

          spark = SparkSession.builder.getOrCreate()
          events = spark.read.parquet("abfss://raw@datalake.dfs.core.windows.net/events")
        `,
      ],
      valid: [
        py`
          import os

          import pandas as pd

          df = pd.read_parquet(os.environ.get("FEATURES_URI", "s3://churn-data/features.parquet"))
        `,
        py`
          import logging

          logging.info("features are published to s3://churn-data/features/")
        `,
        py`
          import boto3

          s3 = boto3.client("s3")
          s3.download_file("churn-data", "features/train.parquet", "train.parquet")
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    const reported = new Set<number>();

    const check = (
      value: ResolvedValue | undefined,
      where: Node,
      sinkName: string | undefined,
      assignedName?: string,
    ) => {
      // Only values whose text starts with a literal can be a hardcoded location.
      const first = value?.parts[0];
      if (!value || first?.kind !== 'literal') return;
      // Only cloud URIs whose bucket (container, host) is written out.
      const prefix = literalPrefix(value);
      if (
        !cloudScheme(
          prefix,
          value.parts.every((part) => part.kind === 'literal'),
        )
      )
        return;
      const literal = reportedLiteral(first.node);
      // Each literal is reported once, at the first sink that reaches it.
      if (reported.has(literal.id)) return;
      reported.add(literal.id);
      const target = sinkName
        ? reachesText(context, literal, where, sinkName)
        : `is assigned to ${assignedName}`;
      const plain = semantic.stringLiteral(literal);
      context.report({
        node: literal,
        message: `Hardcoded cloud URI "${shown(prefix)}" ${target}; read it from configuration or the environment`,
        fixes: envFix(context, literal, sinkName, plain ?? literal.text, 'uri'),
      });
    };

    return {
      call(call) {
        for (const sink of pathSinkArguments(semantic, call, { cloud: true })) {
          check(semantic.resolveValue(sink.value), sink.site, sink.sinkName);
        }
      },
      module() {
        for (const { start, end, token, command } of magicArguments(context)) {
          // `!gsutil cp gs://bucket/x .`, `!aws s3 sync s3://bucket/prefix data/`.
          if (!cloudScheme(token, true)) continue;
          context.report({
            start,
            end,
            message: `Hardcoded cloud URI "${shown(token)}" in \`${command}\`; read it from configuration or the environment`,
          });
        }
      },
      assignment(assignment) {
        const left = field(assignment, 'left');
        const right = field(assignment, 'right');
        // Only `NAME = value` where the name says it is a location.
        if (left?.type !== 'identifier' || !right) return;
        if (!PATH_NAME.test(left.text) && !CLOUD_NAME.test(left.text)) return;
        // Fields of a pydantic `BaseSettings` class are read from the environment already.
        if (isSettingsField(semantic, assignment)) return;
        check(semantic.resolveValue(right), assignment, undefined, left.text);
      },
    };
  },
});
