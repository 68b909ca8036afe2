import { hardcodedCloudUri } from '../../server/src/rules/hardcodedCloudUri';
import { py, ruleTester } from '../harness/ruleTester';

ruleTester(hardcodedCloudUri, {
  valid: [
    // Configuration and environment values; the literal default of an env lookup is documented.
    py`
      import os

      import pandas as pd

      df = pd.read_parquet(os.environ.get("FEATURES_URI", "s3://churn-data/features.parquet"))
      MODEL_URI = os.getenv("MODEL_URI", "gs://ml-models/churn/v3")
      scores = pd.read_csv(config["scores_uri"])
    `,
    // Messages, docs and checks only mention a URI.
    py`
      """Features live in s3://churn-data/features/ (see the runbook)."""
      import logging

      logging.info("publishing to s3://churn-data/features/")
      print("copy gs://ml-models/churn/v3 to the serving bucket")

      def check(uri):
          if not uri.startswith("s3://churn-data/"):
              raise ValueError("expected a URI under s3://churn-data/, e.g. s3://churn-data/x.csv")
    `,
    // Only the scheme is hardcoded when the bucket is interpolated or concatenated.
    py`
      import pandas as pd

      df = pd.read_csv(f"s3://{bucket}/churn/train.csv")
      other = pd.read_csv(f"gs://team-{env}/churn/train.csv")
      third = pd.read_parquet("s3://" + bucket + "/features.parquet")
    `,
    // boto3 takes bucket names and keys, not URIs; a dict default shares a name with `fs.get`.
    py`
      import boto3

      s3 = boto3.client("s3")
      s3.download_file("churn-data", "features/train.parquet", "train.parquet")
      location = params.get("ArtifactS3Location", "s3://dummy")
    `,
    // Plain web URLs and local paths are other rules' concern; a name that says nothing about
    // location holds a URI that never reaches I/O here.
    py`
      import pandas as pd

      df = pd.read_csv("https://example.com/churn/train.csv")
      local = pd.read_csv("/data/churn/train.csv")
      EXAMPLE = "s3://churn-data/features.parquet"
    `,
    // Fields of pydantic settings classes are read from the environment.
    py`
      from pydantic_settings import BaseSettings

      class Settings(BaseSettings):
          features_uri: str = "s3://churn-data/features.parquet"
          model_bucket: str = "gs://ml-models"
    `,
    // Tests are out of scope by default.
    {
      code: 'import pandas as pd\n\ndf = pd.read_parquet("s3://churn-data/x.parquet")\n',
      filename: 'tests/test_features.py',
    },
    // Notebook shell escapes with interpolated buckets and non-cloud arguments.
    {
      filename: 'nb.ipynb',
      code: py`
        !aws s3 ls s3://{BUCKET}/churn/
        !gsutil cp $SOURCE data/
        !wget https://example.com/churn.zip
      `,
    },
  ],
  invalid: [
    // A pandas reader through the `pd` alias; the env fix adds `import os` once.
    {
      code: py`
        import pandas as pd

        df = pd.read_parquet("s3://churn-data/features/train.parquet")
      `,
      highlights: ['"s3://churn-data/features/train.parquet"'],
      messages: [
        'Hardcoded cloud URI "s3://churn-data/features/train.parquet" reaches pandas.read_parquet;',
      ],
      output: py`
        import pandas as pd
        import os

        df = pd.read_parquet(os.environ.get("TRAIN_URI", "s3://churn-data/features/train.parquet"))
      `,
    },
    // `*_URI` and `*_BUCKET` names say location; a constant that reaches a sink is reported once,
    // at the constant, naming the sink's line.
    {
      code: py`
        import pandas as pd

        MODEL_URI = "gs://ml-models/churn/v3"
        DATA_BUCKET = "s3://churn-data"
        train = pd.read_csv(f"{DATA_BUCKET}/train.csv")
        test = pd.read_csv(f"{DATA_BUCKET}/test.csv")
      `,
      highlights: ['"gs://ml-models/churn/v3"', '"s3://churn-data"'],
      messages: [
        'Hardcoded cloud URI "gs://ml-models/churn/v3" is assigned to MODEL_URI',
        '"s3://churn-data/train.csv" reaches pandas.read_csv (line 5)',
      ],
      output: py`
        import pandas as pd
        import os

        MODEL_URI = os.environ.get("MODEL_URI", "gs://ml-models/churn/v3")
        DATA_BUCKET = os.environ.get("DATA_BUCKET", "s3://churn-data")
        train = pd.read_csv(f"{DATA_BUCKET}/train.csv")
        test = pd.read_csv(f"{DATA_BUCKET}/test.csv")
      `,
    },
    // Spark readers and writers, also behind `.format(...)` and `.mode(...)`; Azure and DBFS schemes.
    {
      code: py`
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
        events = spark.read.format("delta").load("abfss://raw@datalake.dfs.core.windows.net/events")
        users = spark.read.csv("dbfs:/FileStore/churn/users.csv", header=True)
        events.write.mode("overwrite").parquet("wasbs://curated@datalake.blob.core.windows.net/events")
      `,
      highlights: [
        '"abfss://raw@datalake.dfs.core.windows.net/events"',
        '"dbfs:/FileStore/churn/users.csv"',
        '"wasbs://curated@datalake.blob.core.windows.net/events"',
      ],
      messages: ['reaches .read.load()', 'reaches .read.csv()', 'reaches .write.parquet()'],
      output: py`
        from pyspark.sql import SparkSession
        import os

        spark = SparkSession.builder.getOrCreate()
        events = spark.read.format("delta").load(os.environ.get("EVENTS_URI", "abfss://raw@datalake.dfs.core.windows.net/events"))
        users = spark.read.csv(os.environ.get("USERS_URI", "dbfs:/FileStore/churn/users.csv"), header=True)
        events.write.mode("overwrite").parquet(os.environ.get("CURATED_EVENTS_URI", "wasbs://curated@datalake.blob.core.windows.net/events"))
      `,
    },
    // Cloud file system APIs: fsspec, smart_open, tf.io.gfile and an s3fs file system object.
    {
      code: py`
        import fsspec
        import s3fs
        import tensorflow as tf
        from smart_open import open as sopen

        with fsspec.open("gs://ml-models/churn/vocab.txt") as f:
            vocab = f.read()
        with sopen("s3://churn-data/raw/events.jsonl") as f:
            events = f.readlines()
        graph = tf.io.gfile.GFile("gs://ml-models/churn/graph.pb", "rb").read()
        fs = s3fs.S3FileSystem()
        keys = fs.ls("s3://churn-data/raw/")
      `,
      highlights: [
        '"gs://ml-models/churn/vocab.txt"',
        '"s3://churn-data/raw/events.jsonl"',
        '"gs://ml-models/churn/graph.pb"',
        '"s3://churn-data/raw/"',
      ],
      messages: [
        'reaches fsspec.open',
        'reaches smart_open.open',
        'reaches tensorflow.io.gfile.GFile',
        'reaches .ls()',
      ],
      output: py`
        import fsspec
        import s3fs
        import tensorflow as tf
        from smart_open import open as sopen
        import os

        with fsspec.open(os.environ.get("VOCAB_URI", "gs://ml-models/churn/vocab.txt")) as f:
            vocab = f.read()
        with sopen(os.environ.get("EVENTS_URI", "s3://churn-data/raw/events.jsonl")) as f:
            events = f.readlines()
        graph = tf.io.gfile.GFile(os.environ.get("GRAPH_URI", "gs://ml-models/churn/graph.pb"), "rb").read()
        fs = s3fs.S3FileSystem()
        keys = fs.ls(os.environ.get("RAW_URI", "s3://churn-data/raw/"))
      `,
    },
    // mlflow and SageMaker keywords that carry URIs (`artifact_location=`, `model_uri=`,
    // `output_path=`); Hugging Face and HDFS schemes.
    {
      code: py`
        import mlflow
        import pandas as pd
        from sagemaker.estimator import Estimator

        mlflow.create_experiment("churn", artifact_location="s3://mlflow-artifacts/churn")
        model = mlflow.pyfunc.load_model(model_uri="s3://mlflow-artifacts/churn/model")
        estimator = Estimator(image_uri=image, role=role, output_path="s3://team-ml/output")
        reviews = pd.read_parquet("hf://datasets/acme/reviews/train.parquet")
        logs = pd.read_csv("hdfs://namenode:8020/logs/2024/churn.csv")
      `,
      highlights: [
        '"s3://mlflow-artifacts/churn"',
        '"s3://mlflow-artifacts/churn/model"',
        '"s3://team-ml/output"',
        '"hf://datasets/acme/reviews/train.parquet"',
        '"hdfs://namenode:8020/logs/2024/churn.csv"',
      ],
      messages: [
        'reaches mlflow.create_experiment',
        'reaches mlflow.pyfunc.load_model',
        'reaches output_path=',
        'reaches pandas.read_parquet',
        'reaches pandas.read_csv',
      ],
      output: py`
        import mlflow
        import pandas as pd
        from sagemaker.estimator import Estimator
        import os

        mlflow.create_experiment("churn", artifact_location=os.environ.get("ARTIFACT_LOCATION", "s3://mlflow-artifacts/churn"))
        model = mlflow.pyfunc.load_model(model_uri=os.environ.get("MODEL_URI", "s3://mlflow-artifacts/churn/model"))
        estimator = Estimator(image_uri=image, role=role, output_path=os.environ.get("OUTPUT_PATH", "s3://team-ml/output"))
        reviews = pd.read_parquet(os.environ.get("TRAIN_URI", "hf://datasets/acme/reviews/train.parquet"))
        logs = pd.read_csv(os.environ.get("CHURN_URI", "hdfs://namenode:8020/logs/2024/churn.csv"))
      `,
    },
    // An f-string with a written-out bucket is reported but not wrapped (it keeps its fields).
    {
      code: py`
        import pandas as pd

        df = pd.read_csv(f"s3://churn-data/daily/{date}/events.csv")
      `,
      highlights: ['f"s3://churn-data/daily/{date}/events.csv"'],
      messages: ['"s3://churn-data/daily/" reaches pandas.read_csv'],
    },
    // Distinct URIs get distinct variables, the same URI the same one.
    {
      code: py`
        import pandas as pd

        raw = pd.read_parquet("s3://churn-data/raw/data.parquet")
        raw.to_parquet("s3://churn-data/clean/data.parquet")
        again = pd.read_parquet("s3://churn-data/raw/data.parquet")
      `,
      highlights: [
        '"s3://churn-data/raw/data.parquet"',
        '"s3://churn-data/clean/data.parquet"',
        '"s3://churn-data/raw/data.parquet"',
      ],
      output: py`
        import pandas as pd
        import os

        raw = pd.read_parquet(os.environ.get("DATA_URI", "s3://churn-data/raw/data.parquet"))
        raw.to_parquet(os.environ.get("CLEAN_DATA_URI", "s3://churn-data/clean/data.parquet"))
        again = pd.read_parquet(os.environ.get("DATA_URI", "s3://churn-data/raw/data.parquet"))
      `,
    },
    // Notebook: a bucket constant in one cell read in a later one, and a `!gsutil` shell escape
    // (reported without a fix).
    {
      filename: 'nb.ipynb',
      code: 'import pandas as pd\n# %%\nBUCKET = "gs://churn-data"\n# %%\ndf = pd.read_csv(BUCKET + "/train.csv")\n!gsutil cp gs://churn-data/raw/events.csv data/\n',
      highlights: ['"gs://churn-data"', 'gs://churn-data/raw/events.csv'],
      messages: [
        'Hardcoded cloud URI "gs://churn-data/train.csv" reaches pandas.read_csv (cell 3, line 1)',
        'Hardcoded cloud URI "gs://churn-data/raw/events.csv" in `!gsutil`',
      ],
      output:
        'import pandas as pd\nimport os\n# %%\nBUCKET = os.environ.get("BUCKET", "gs://churn-data")\n# %%\ndf = pd.read_csv(BUCKET + "/train.csv")\n!gsutil cp gs://churn-data/raw/events.csv data/\n',
    },
  ],
});
