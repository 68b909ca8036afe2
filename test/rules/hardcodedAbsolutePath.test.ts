import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { applyToSource } from '../../server/src/fixes/fixAll';
import { hardcodedAbsolutePath } from '../../server/src/rules/hardcodedAbsolutePath';
import { findingsOf, py, ruleTester, sourceFor } from '../harness/ruleTester';

ruleTester(hardcodedAbsolutePath, {
  valid: [
    // Route decorators take URL paths, also through the `path=` keyword.
    py`
      from fastapi import FastAPI

      app = FastAPI()

      @app.get(path="/models/churn/predict")
      def predict():
          return {}

      @app.post("/home/feedback")
      def feedback():
          return {}
    `,
    // Location-named keywords of web frameworks are URL paths: `root_path=`, `static_url_path=`, cookies.
    py`
      import uvicorn
      from flask import Flask

      app = Flask(__name__, static_url_path="/static/assets")
      uvicorn.run("serve:app", root_path="/ml/churn")

      def logout(response):
          response.set_cookie("session", "", path="/app/ui")
    `,
    // URLs are not file system locations, even when their path looks like one.
    py`
      import pandas as pd
      import requests

      df = pd.read_csv("https://example.com/home/alice/train.csv")
      weights = requests.get("http://mirror.internal/data/churn/weights.bin")
    `,
    // System locations are the same on every machine.
    py`
      import os
      import shutil

      os.makedirs("/tmp/churn-cache", exist_ok=True)
      with open("/proc/meminfo") as meminfo, open("/dev/null", "w") as sink:
          sink.write(meminfo.read())
      shutil.copy("/etc/hosts", "/tmp/hosts")
    `,
    // A prefix the project allows, such as a mount every machine has, is not reported.
    {
      code: py`
        import pandas as pd

        DATA_DIR = "/mnt/shared/churn"
        train = pd.read_csv(f"{DATA_DIR}/train.csv")
        test = pd.read_csv("/mnt/shared/churn/test.csv")
      `,
      config: { 'allowed-path-prefixes': ['/mnt/shared/'] },
    },
    // Docstrings, comments and log messages only mention paths.
    py`
      """Trains on /home/alice/churn/train.csv unless DATA_DIR is set."""
      import logging

      import pandas as pd

      def load(path):
          """Read the table, e.g. from /data/churn/train.csv."""
          # df = pd.read_csv("/home/alice/churn/train.csv")
          logging.info("reading %s instead of /home/alice/churn", path)
          return pd.read_csv(path)
    `,
    // Values from the CLI or the environment are configuration; their defaults are documented.
    py`
      import argparse
      import os

      import pandas as pd

      parser = argparse.ArgumentParser()
      parser.add_argument("--data-dir", default="/data/churn")
      args = parser.parse_args()
      train = pd.read_csv(os.path.join(args.data_dir, "train.csv"))
      MODEL_DIR = os.environ.get("MODEL_DIR", "/srv/models/churn")
      scores = pd.read_csv(os.environ.get("SCORES_CSV", "/srv/churn/scores.csv"))
    `,
    // Dead code under `if False:` / `if 0:` is not reported.
    py`
      import pandas as pd

      if False:
          df = pd.read_csv("/home/alice/churn/train.csv")
      if 0:
          MODEL_DIR = "/home/alice/models"
    `,
    // Tests are out of scope for this rule.
    {
      code: 'import pandas as pd\n\ndf = pd.read_csv("/home/alice/churn/train.csv")\n',
      filename: 'tests/test_x.py',
    },
    // Project-relative paths built from __file__ and relative data paths are not absolute.
    py`
      from pathlib import Path

      import pandas as pd

      ROOT = Path(__file__).resolve().parent
      config = (ROOT / "configs" / "train.yaml").read_text()
      df = pd.read_csv("data/train.csv")
    `,
    // Names that say URL or API hold routes, not locations.
    py`
      API_PATH = "/v1/models/churn:predict"
      ROUTE_PREFIX = "/api/v1/churn"
      health_url_path = "/health/live/ready"
    `,
    // Absolute-looking strings that never reach I/O and are not assigned to a path name.
    py`
      import re

      message = "/data/churn was not found"
      owner = re.match(r"/home/(\\w+)/", cwd)
      mounts = {"train": "/data/churn/train.csv"}
    `,
    // A cloud URI is MLH202's concern, not an absolute local path.
    py`
      import pandas as pd

      df = pd.read_parquet("s3://churn-data/features/train.parquet")
    `,
    // Fields of pydantic settings classes are read from the environment, also through a subclass.
    py`
      from pydantic import BaseSettings as LegacySettings
      from pydantic_settings import BaseSettings

      class Settings(BaseSettings):
          model_dir: str = "/srv/models/churn"
          data_path: str = "/data/churn/train.csv"

      class ProdSettings(Settings):
          cache_dir: str = "/srv/cache/churn"

      class OldSettings(LegacySettings):
          output_dir = "/srv/outputs/churn"
    `,
    // Probes decide, they do not depend on the location: Colab/Kaggle detection and the reads it
    // guards (`if`, `elif`, conditional expressions, `Path(...).exists()`).
    py`
      import os
      from pathlib import Path

      import pandas as pd

      IN_COLAB = os.path.exists("/content/drive")
      if os.path.isdir("/kaggle/input"):
          df = pd.read_csv("/kaggle/input/churn/train.csv")
      elif Path("/content/drive/MyDrive").exists():
          df = pd.read_csv("/content/drive/MyDrive/churn/train.csv")
      test = pd.read_csv("/kaggle/input/churn/test.csv") if os.path.exists("/kaggle/input") else None
      if IN_COLAB and os.path.exists("/content/drive/MyDrive/churn"):
          DATA_DIR = "/content/drive/MyDrive/churn"
    `,
    // Windows system folders and devices, extended-length and device prefixes.
    py`
      import os

      os.stat(r"C:\\pagefile.sys")
      tools = os.listdir(r"C:\\Program Files\\Graphviz\\bin")
      instances = os.listdir(r"C:\\ProgramData\\Microsoft\\VisualStudio\\Packages")
      console = open(r"\\\\.\\CONIN$", "rb")
      con = open("C:/con", "rb")
      roots = os.listdir("\\\\?\\C:\\")
    `,
    // Standard per-machine places on macOS and Android, and root markers such as /.dockerenv.
    py`
      import os

      plist = open(os.path.expanduser("~/Library/Preferences/.GlobalPreferences.plist"), "rb")
      cache_dir = os.path.join("~", "Library", "Caches", "churn")
      frameworks = os.listdir("/Applications/Xcode.app/Contents/Developer/Platforms")
      documents_dir = "/storage/emulated/0/Documents"
      in_docker = os.path.exists("/.dockerenv")
    `,
    // Search-path lists, PascalCase API keywords (boto3's IAM `Path=`), one-segment keyword values
    // (sockets, URL paths) and a `dict.get` default are not file locations.
    py`
      import asyncio

      import boto3

      iam = boto3.client("iam")
      iam.create_user(UserName="alice", Path="/division/ml/")
      run_tool(search_path="/opt/tools/bin:/usr/local/bin")
      server = asyncio.get_event_loop().create_unix_server(handler, path="/ml.sock")
      url = build_url(default_path="/0")
    `,
    // Methods named like properties of Object.prototype must not crash the sink lookup.
    py`
      result = parser.constructor("/home/alice/x")
      text = value.toString("/home/alice/y")
    `,
    // Path-named constants that reach no I/O here and lie under no folder where machines keep
    // data are object keys or URL paths as often as files (awscli's EMR constants).
    py`
      SCRIPT_RUNNER_PATH = "/libs/script-runner/script-runner.jar"
      CONFIG_HADOOP_PATH = "/bootstrap-actions/configure-hadoop"
    `,
    // Notebook shell escapes with system locations, URLs and IPython-expanded variables.
    {
      filename: 'nb.ipynb',
      code: py`
        !wget -q -O /tmp/churn.zip https://example.com/data/churn.zip
        !ls {DATA_DIR} $HOME
        # %%
        %cd {PROJECT_DIR}
        ratio = churned / total
      `,
    },
  ],
  invalid: [
    // Through the `pd` alias: the env fix adds `import os` once, after the imports.
    {
      code: py`
        import pandas as pd

        df = pd.read_csv("/home/alice/churn/train.csv")
      `,
      highlights: ['"/home/alice/churn/train.csv"'],
      messages: ['Hardcoded absolute path "/home/alice/churn/train.csv" reaches pandas.read_csv;'],
      output: py`
        import pandas as pd
        import os

        df = pd.read_csv(os.environ.get("TRAIN_PATH", "/home/alice/churn/train.csv"))
      `,
    },
    // A module constant used by two f-strings is reported once, at the constant, naming the sink's line.
    {
      code: py`
        import pandas as pd

        DATA_DIR = "/data/churn"
        train = pd.read_csv(f"{DATA_DIR}/train.csv")
        test = pd.read_csv(f"{DATA_DIR}/test.csv")
      `,
      highlights: ['"/data/churn"'],
      messages: ['"/data/churn/train.csv" reaches pandas.read_csv (line 4)'],
      output: py`
        import pandas as pd
        import os

        DATA_DIR = os.environ.get("DATA_DIR", "/data/churn")
        train = pd.read_csv(f"{DATA_DIR}/train.csv")
        test = pd.read_csv(f"{DATA_DIR}/test.csv")
      `,
    },
    // os.path.join of a constant reaches `th.load`; `import os` already exists and is not repeated.
    {
      code: py`
        import os
        import torch as th

        CKPT_DIR = "/scratch/alice/ckpt"
        state = th.load(os.path.join(CKPT_DIR, "best.pt"), weights_only=True)
      `,
      highlights: ['"/scratch/alice/ckpt"'],
      messages: ['"/scratch/alice/ckpt/best.pt" reaches torch.load'],
      output: py`
        import os
        import torch as th

        CKPT_DIR = os.environ.get("CKPT_DIR", "/scratch/alice/ckpt")
        state = th.load(os.path.join(CKPT_DIR, "best.pt"), weights_only=True)
      `,
    },
    // A `Path(...) / "x"` join is followed; the fix keeps the Path call around the literal.
    {
      code: py`
        from pathlib import Path

        import pandas as pd

        ROOT = Path("/home/alice/churn")
        df = pd.read_csv(ROOT / "train.csv")
      `,
      highlights: ['"/home/alice/churn"'],
      output: py`
        from pathlib import Path

        import pandas as pd
        import os

        ROOT = Path(os.environ.get("CHURN_DIR", "/home/alice/churn"))
        df = pd.read_csv(ROOT / "train.csv")
      `,
    },
    // A local name bound once inside a function, read through `from sklearn.externals import joblib`.
    {
      code: py`
        from sklearn.externals import joblib

        def load_model():
            model_file = "/srv/models/churn.joblib"
            return joblib.load(model_file)
      `,
      highlights: ['"/srv/models/churn.joblib"'],
      messages: ['reaches joblib.load (line 5)'],
      output: py`
        from sklearn.externals import joblib
        import os

        def load_model():
            model_file = os.environ.get("MODEL_FILE", "/srv/models/churn.joblib")
            return joblib.load(model_file)
      `,
    },
    // A variable or keyword named `path` never yields the shell's PATH as the variable name.
    {
      code: py`
        import pandas as pd

        path = "/data/churn/train.csv"
        df = pd.read_csv(path)
        df.to_parquet(path="/data/churn/features.parquet")
      `,
      highlights: ['"/data/churn/train.csv"', '"/data/churn/features.parquet"'],
      output: py`
        import pandas as pd
        import os

        path = os.environ.get("TRAIN_PATH", "/data/churn/train.csv")
        df = pd.read_csv(path)
        df.to_parquet(path=os.environ.get("FEATURES_PATH", "/data/churn/features.parquet"))
      `,
    },
    // Windows drive paths, raw or with forward slashes; the raw prefix is kept.
    {
      code: py`
        import pandas as pd
        import torch

        torch.save(model.state_dict(), r"D:\\models\\churn\\net.pt")
        df = pd.read_csv("C:/Users/bob/data/train.csv")
      `,
      highlights: ['r"D:\\models\\churn\\net.pt"', '"C:/Users/bob/data/train.csv"'],
      messages: ['Windows drive path', 'Windows drive path'],
      output: py`
        import pandas as pd
        import torch
        import os

        torch.save(model.state_dict(), os.environ.get("NET_PATH", r"D:\\models\\churn\\net.pt"))
        df = pd.read_csv(os.environ.get("TRAIN_PATH", "C:/Users/bob/data/train.csv"))
      `,
    },
    // A UNC network share.
    {
      code: py`
        import pandas as pd

        df = pd.read_parquet(r"\\\\fileserver\\share\\churn\\train.parquet")
      `,
      highlights: ['r"\\\\fileserver\\share\\churn\\train.parquet"'],
      messages: ['UNC network path'],
      output: py`
        import pandas as pd
        import os

        df = pd.read_parquet(os.environ.get("TRAIN_PATH", r"\\\\fileserver\\share\\churn\\train.parquet"))
      `,
    },
    // Home-directory paths, `~/...` and `~user/...`.
    {
      code: py`
        import os

        import pandas as pd

        df = pd.read_csv("~/data/churn/train.csv")
        os.chdir("~alice/projects/churn")
      `,
      highlights: ['"~/data/churn/train.csv"', '"~alice/projects/churn"'],
      messages: ['home-directory path', 'home-directory path'],
      output: py`
        import os

        import pandas as pd

        df = pd.read_csv(os.environ.get("TRAIN_PATH", "~/data/churn/train.csv"))
        os.chdir(os.environ.get("CHURN_DIR", "~alice/projects/churn"))
      `,
    },
    // A Colab path assigned to a path name, in a file with no imports: `import os` goes first.
    {
      code: py`
        MODEL_DIR = "/content/drive/MyDrive/models"
      `,
      highlights: ['"/content/drive/MyDrive/models"'],
      messages: ['Colab-only path "/content/drive/MyDrive/models" is assigned to MODEL_DIR'],
      output: py`
        import os
        MODEL_DIR = os.environ.get("MODEL_DIR", "/content/drive/MyDrive/models")
      `,
    },
    // Notebook: a Kaggle path bound in one cell reaches a read in a later cell; `import os` joins
    // the imports in the first cell.
    {
      filename: 'nb.ipynb',
      code: 'import pandas as pd\n# %%\nINPUT = "/kaggle/input/churn"\n# %%\ndf = pd.read_csv(INPUT + "/train.csv")\n',
      highlights: ['"/kaggle/input/churn"'],
      messages: [
        'Kaggle-only path "/kaggle/input/churn/train.csv" reaches pandas.read_csv (cell 3, line 1)',
      ],
      output:
        'import pandas as pd\nimport os\n# %%\nINPUT = os.environ.get("INPUT_PATH", "/kaggle/input/churn")\n# %%\ndf = pd.read_csv(INPUT + "/train.csv")\n',
    },
    // Notebook line magics and shell escapes that use machine-specific locations have no fix.
    {
      filename: 'nb.ipynb',
      code: py`
        %cd /content/drive/MyDrive/churn
        !cp /home/alice/data/train.csv data/
        # %%
        files = !ls "/kaggle/input/churn data"
      `,
      highlights: [
        '/content/drive/MyDrive/churn',
        '/home/alice/data/train.csv',
        '/kaggle/input/churn data',
      ],
      messages: [
        'Colab-only path "/content/drive/MyDrive/churn" in `%cd`',
        'absolute path "/home/alice/data/train.csv" in `!cp`',
        'Kaggle-only path "/kaggle/input/churn data" in `!ls`',
      ],
    },
    // `from_pretrained` on an imported class and a location-named keyword (`output_dir=`).
    {
      code: py`
        from transformers import AutoModel, TrainingArguments

        model = AutoModel.from_pretrained("/home/alice/models/bert-churn")
        args = TrainingArguments(output_dir="/home/alice/runs/bert-churn")
      `,
      highlights: ['"/home/alice/models/bert-churn"', '"/home/alice/runs/bert-churn"'],
      messages: ['reaches .from_pretrained()', 'reaches output_dir='],
      output: py`
        from transformers import AutoModel, TrainingArguments
        import os

        model = AutoModel.from_pretrained(os.environ.get("BERT_CHURN_DIR", "/home/alice/models/bert-churn"))
        args = TrainingArguments(output_dir=os.environ.get("OUTPUT_DIR", "/home/alice/runs/bert-churn"))
      `,
    },
    // sys.path manipulation after a module docstring and an import.
    {
      code: py`
        """Batch scoring job."""
        import sys

        sys.path.append("/home/alice/src/churn")
      `,
      highlights: ['"/home/alice/src/churn"'],
      output: py`
        """Batch scoring job."""
        import sys
        import os

        sys.path.append(os.environ.get("CHURN_DIR", "/home/alice/src/churn"))
      `,
    },
    // An implicitly concatenated string is one value: the whole concatenation is wrapped.
    {
      code: py`
        import pandas as pd

        df = pd.read_csv("/data/team/" "train.csv")
      `,
      highlights: ['"/data/team/" "train.csv"'],
      messages: ['"/data/team/train.csv" reaches pandas.read_csv'],
      output: py`
        import pandas as pd
        import os

        df = pd.read_csv(os.environ.get("TRAIN_PATH", "/data/team/" "train.csv"))
      `,
    },
    // Distinct paths get distinct variables (the parent folder tells them apart), the same path the
    // same variable, so setting one never makes the output overwrite the input.
    {
      code: py`
        import pandas as pd

        raw = pd.read_csv("/data/raw/data.csv")
        raw.to_csv("/data/processed/data.csv")
        again = pd.read_csv("/data/raw/data.csv")
      `,
      highlights: ['"/data/raw/data.csv"', '"/data/processed/data.csv"', '"/data/raw/data.csv"'],
      output: py`
        import pandas as pd
        import os

        raw = pd.read_csv(os.environ.get("DATA_PATH", "/data/raw/data.csv"))
        raw.to_csv(os.environ.get("PROCESSED_DATA_PATH", "/data/processed/data.csv"))
        again = pd.read_csv(os.environ.get("DATA_PATH", "/data/raw/data.csv"))
      `,
    },
    // A name the file already reads from the environment for something else is not reused.
    {
      code: py`
        import os

        import pandas as pd

        features = load_features(os.getenv("DATA_PATH"))
        df = pd.read_csv("/srv/churn/data.csv")
      `,
      highlights: ['"/srv/churn/data.csv"'],
      output: py`
        import os

        import pandas as pd

        features = load_features(os.getenv("DATA_PATH"))
        df = pd.read_csv(os.environ.get("CHURN_DATA_PATH", "/srv/churn/data.csv"))
      `,
    },
    // Path-named constants under the folders machines keep data in, with no I/O in view.
    {
      code: py`
        HADOOP_STREAMING_PATH = "/home/hadoop/contrib/streaming/hadoop-streaming.jar"
        FEATURES_DIR = "/mnt/features/churn"
        RUNS_ROOT = "/Users/bob/runs"
      `,
      highlights: [
        '"/home/hadoop/contrib/streaming/hadoop-streaming.jar"',
        '"/mnt/features/churn"',
        '"/Users/bob/runs"',
      ],
      messages: [
        'is assigned to HADOOP_STREAMING_PATH',
        'is assigned to FEATURES_DIR',
        'is assigned to RUNS_ROOT',
      ],
      output: py`
        import os
        HADOOP_STREAMING_PATH = os.environ.get("HADOOP_STREAMING_PATH", "/home/hadoop/contrib/streaming/hadoop-streaming.jar")
        FEATURES_DIR = os.environ.get("FEATURES_DIR", "/mnt/features/churn")
        RUNS_ROOT = os.environ.get("RUNS_ROOT", "/Users/bob/runs")
      `,
    },
    // A plain pydantic model is not read from the environment: its defaults are reported.
    {
      code: py`
        from pydantic import BaseModel

        class TrainConfig(BaseModel):
            model_dir: str = "/srv/models/churn"
      `,
      highlights: ['"/srv/models/churn"'],
      output: py`
        from pydantic import BaseModel
        import os

        class TrainConfig(BaseModel):
            model_dir: str = os.environ.get("MODEL_DIR", "/srv/models/churn")
      `,
    },
    // An mlflow tracking URI with the `file://` scheme holds a local absolute path.
    {
      code: py`
        import mlflow

        mlflow.set_tracking_uri("file:///home/alice/mlruns")
      `,
      highlights: ['"file:///home/alice/mlruns"'],
      messages: ['absolute path "file:///home/alice/mlruns" reaches mlflow.set_tracking_uri'],
      output: py`
        import mlflow
        import os

        mlflow.set_tracking_uri(os.environ.get("MLRUNS_DIR", "file:///home/alice/mlruns"))
      `,
    },
    // Databricks' FUSE mount only exists on Databricks clusters.
    {
      code: py`
        import pandas as pd

        df = pd.read_csv("/dbfs/mnt/raw/churn.csv")
      `,
      highlights: ['"/dbfs/mnt/raw/churn.csv"'],
      messages: [
        'Hardcoded Databricks-only path "/dbfs/mnt/raw/churn.csv" reaches pandas.read_csv',
      ],
      output: py`
        import pandas as pd
        import os

        df = pd.read_csv(os.environ.get("CHURN_PATH", "/dbfs/mnt/raw/churn.csv"))
      `,
    },
    // Keyword dicts passed as `**kwargs` are followed; the literal is reported in the dict.
    {
      code: py`
        from transformers import TrainingArguments

        params = {"output_dir": "/home/alice/runs/bert", "num_train_epochs": 3}
        args = TrainingArguments(**params)
      `,
      highlights: ['"/home/alice/runs/bert"'],
      messages: ['reaches output_dir= (line 4)'],
      output: py`
        from transformers import TrainingArguments
        import os

        params = {"output_dir": os.environ.get("BERT_DIR", "/home/alice/runs/bert"), "num_train_epochs": 3}
        args = TrainingArguments(**params)
      `,
    },
    // More sinks of the spec: OpenCV, h5py, TensorBoard, Keras checkpoints, Spark, HF datasets and a
    // parenthesized `Path / ...` receiver.
    {
      code: py`
        from pathlib import Path

        import cv2
        import h5py
        from datasets import load_dataset
        from tensorflow import keras
        from torch.utils.tensorboard import SummaryWriter

        image = cv2.imread("/home/alice/images/cat.png")
        store = h5py.File("/scratch/alice/features.h5", "r")
        writer = SummaryWriter(log_dir="/scratch/alice/tb/run1")
        checkpoint = keras.callbacks.ModelCheckpoint("/scratch/alice/ckpt/best.keras")
        events = spark.read.parquet("/mnt/lake/events")
        ds = load_dataset("csv", data_files="/home/alice/churn/train.csv")
        notes = (Path("/home/alice/churn") / "notes.md").read_text()
      `,
      highlights: [
        '"/home/alice/images/cat.png"',
        '"/scratch/alice/features.h5"',
        '"/scratch/alice/tb/run1"',
        '"/scratch/alice/ckpt/best.keras"',
        '"/mnt/lake/events"',
        '"/home/alice/churn/train.csv"',
        '"/home/alice/churn"',
      ],
      messages: [
        'reaches cv2.imread',
        'reaches h5py.File',
        'reaches torch.utils.tensorboard.SummaryWriter',
        'reaches keras.callbacks.ModelCheckpoint',
        'reaches .read.parquet()',
        'reaches datasets.load_dataset',
        'reaches Path.read_text()',
      ],
      output: py`
        from pathlib import Path

        import cv2
        import h5py
        from datasets import load_dataset
        from tensorflow import keras
        from torch.utils.tensorboard import SummaryWriter
        import os

        image = cv2.imread(os.environ.get("CAT_PATH", "/home/alice/images/cat.png"))
        store = h5py.File(os.environ.get("FEATURES_PATH", "/scratch/alice/features.h5"), "r")
        writer = SummaryWriter(log_dir=os.environ.get("LOG_DIR", "/scratch/alice/tb/run1"))
        checkpoint = keras.callbacks.ModelCheckpoint(os.environ.get("BEST_PATH", "/scratch/alice/ckpt/best.keras"))
        events = spark.read.parquet(os.environ.get("EVENTS_DIR", "/mnt/lake/events"))
        ds = load_dataset("csv", data_files=os.environ.get("DATA_FILES_PATH", "/home/alice/churn/train.csv"))
        notes = (Path(os.environ.get("CHURN_DIR", "/home/alice/churn")) / "notes.md").read_text()
      `,
    },
    // A negated probe requires the location; an `assert` on it too. The adaptive probe is not reported.
    {
      code: py`
        import os

        if not os.path.exists("/data/churn"):
            os.makedirs("/data/churn")
        assert os.path.isfile("/data/churn/train.csv")
      `,
      highlights: ['"/data/churn"', '"/data/churn/train.csv"'],
      output: py`
        import os

        if not os.path.exists("/data/churn"):
            os.makedirs(os.environ.get("CHURN_DIR", "/data/churn"))
        assert os.path.isfile(os.environ.get("TRAIN_PATH", "/data/churn/train.csv"))
      `,
    },
    // A path inside the project also gets the `Path(__file__)` fix (asserted below); the env fix
    // comes first.
    {
      code: py`
        import pandas as pd

        df = pd.read_csv("/project/data/train.csv")
      `,
      highlights: ['"/project/data/train.csv"'],
      output: py`
        import pandas as pd
        import os

        df = pd.read_csv(os.environ.get("TRAIN_PATH", "/project/data/train.csv"))
      `,
    },
  ],
});

/**
 * The second fix of a path inside the project (the harness project's root is `/project`): the fix
 * titles a user sees, and the text after applying the `Path(__file__)` fix of the first finding.
 */
const anchoredCases: {
  name: string;
  code: string;
  filename?: string;
  titles: string[];
  output?: string;
}[] = [
  {
    name: 'a file next to the script, `from pathlib import Path` added once after the imports',
    code: py`
      import pandas as pd

      df = pd.read_csv("/project/data/train.csv")
    `,
    titles: [
      'Read the path from the environment variable TRAIN_PATH',
      'Build the path from the script\'s folder ("data/train.csv")',
    ],
    output: py`
      import pandas as pd
      from pathlib import Path

      df = pd.read_csv(Path(__file__).resolve().parent / "data/train.csv")
    `,
  },
  {
    name: 'a script in a subfolder climbs with parents[n]',
    filename: 'src/jobs/train.py',
    code: py`
      import torch

      state = torch.load("/project/models/churn.pt", weights_only=True)
    `,
    titles: [
      'Read the path from the environment variable CHURN_PATH',
      'Build the path from the script\'s folder ("../../models/churn.pt")',
    ],
    output: py`
      import torch
      from pathlib import Path

      state = torch.load(Path(__file__).resolve().parents[2] / "models/churn.pt", weights_only=True)
    `,
  },
  {
    name: 'an existing `Path(...)` call is replaced whole and the import is not repeated',
    code: py`
      from pathlib import Path

      ROOT = Path("/project/data")
      rows = (ROOT / "train.csv").read_text()
    `,
    titles: [
      'Read the path from the environment variable DATA_DIR',
      'Build the path from the script\'s folder ("data")',
    ],
    output: py`
      from pathlib import Path

      ROOT = Path(__file__).resolve().parent / "data"
      rows = (ROOT / "train.csv").read_text()
    `,
  },
  {
    name: 'sys.path needs a str',
    code: py`
      import sys

      sys.path.insert(0, "/project/src")
    `,
    titles: [
      'Read the path from the environment variable SRC_DIR',
      'Build the path from the script\'s folder ("src")',
    ],
    output: py`
      import sys
      from pathlib import Path

      sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    `,
  },
  {
    name: 'a constant that is concatenated stays a str',
    code: py`
      DATA_DIR = "/project/data"
      train = open(DATA_DIR + "/train.csv").read()
    `,
    titles: [
      'Read the path from the environment variable DATA_DIR',
      'Build the path from the script\'s folder ("data")',
    ],
    output: py`
      from pathlib import Path
      DATA_DIR = str(Path(__file__).resolve().parent / "data")
      train = open(DATA_DIR + "/train.csv").read()
    `,
  },
  {
    name: 'a name `Path` bound to something else: pathlib.Path with `import pathlib`',
    code: py`
      from shapes import Path

      DATA_DIR = "/project/data"
    `,
    titles: [
      'Read the path from the environment variable DATA_DIR',
      'Build the path from the script\'s folder ("data")',
    ],
    output: py`
      from shapes import Path
      import pathlib

      DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"
    `,
  },
  {
    name: 'outside the project: only the environment variable',
    code: py`
      import pandas as pd

      df = pd.read_csv("/home/alice/train.csv")
    `,
    titles: ['Read the path from the environment variable TRAIN_PATH'],
  },
  {
    name: 'notebooks have no __file__: only the environment variable',
    filename: 'nb.ipynb',
    code: py`
      import pandas as pd
      # %%
      df = pd.read_csv("/project/data/train.csv")
    `,
    titles: ['Read the path from the environment variable TRAIN_PATH'],
  },
];

describe('MLH201 fix from the script folder', () => {
  before(() => ensureEngine());
  for (const c of anchoredCases) {
    it(c.name, () => {
      const { findings, file } = findingsOf(hardcodedAbsolutePath, sourceFor(c.code, c.filename));
      assert.equal(findings.length, 1);
      assert.deepEqual(
        findings[0].fixes.map((f) => f.title),
        c.titles,
      );
      assert.deepEqual(
        findings[0].fixes.map((f) => f.safety),
        c.titles.map((_t, i) => (i === 0 ? 'safe' : 'unsafe')),
      );
      if (c.output === undefined) return;
      const fixed = applyToSource(file, findings[0].fixes[1].edits);
      assert.equal(fixed?.text, c.output);
    });
  }
});
