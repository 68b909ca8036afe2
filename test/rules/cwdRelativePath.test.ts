import { cwdRelativePath } from '../../server/src/rules/cwdRelativePath';
import { py, ruleTester } from '../harness/ruleTester';

ruleTester(cwdRelativePath, {
  valid: [
    // Paths built from `__file__`, with pathlib or os.path.
    py`
      import os
      from pathlib import Path

      import pandas as pd

      HERE = Path(__file__).resolve().parent
      train = pd.read_csv(HERE / "data" / "train.csv")
      test = pd.read_csv(Path(__file__).parent / "data/test.csv")
      labels = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "labels.txt"))
    `,
    // CLI options and function parameters are configuration, whatever their default.
    py`
      import argparse

      import click
      import pandas as pd
      import typer

      parser = argparse.ArgumentParser()
      parser.add_argument("--train", default="data/train.csv")
      args = parser.parse_args()
      df = pd.read_csv(args.train)

      @click.command()
      @click.option("--out", default="outputs/preds.csv")
      def predict(out):
          df.to_csv(out)

      def main(features: str = typer.Option("data/features.parquet")):
          return pd.read_parquet(features)

      def load(path="data/train.csv"):
          return pd.read_csv(path)
    `,
    // Config values are not followed.
    py`
      import pandas as pd
      import yaml

      with open(CONFIG_FILE) as f:
          config = yaml.safe_load(f)
      df = pd.read_csv(config["data"]["train_path"])
      scores = pd.read_csv(cfg.paths.scores)
    `,
    // Bare names that are written land in the working directory by convention; bare names without
    // a data extension and bare globs (`ls *.csv`) are not data paths.
    py`
      import glob
      import os

      import joblib
      import pandas as pd

      predictions.to_csv("predictions.csv", index=False)
      joblib.dump(model, "model.joblib")
      os.makedirs("outputs", exist_ok=True)
      notice = open("LICENSE").read()
      parts = glob.glob("*.csv")
    `,
    // URLs, mlflow and absolute locations are other rules' concern.
    py`
      import mlflow
      import pandas as pd

      df = pd.read_csv("https://example.com/data/train.csv")
      model = mlflow.pyfunc.load_model("models:/churn/3")
      run_model = mlflow.sklearn.load_model("runs:/0a1b2c/model")
      local = pd.read_csv("/data/churn/train.csv")
      home = pd.read_csv("~/data/train.csv")
      bucket = pd.read_csv("s3://churn-data/train.csv")
    `,
    // Hugging Face Hub ids look like `org/name` relative paths.
    py`
      from datasets import load_dataset
      from sentence_transformers import SentenceTransformer
      from transformers import AutoModel, AutoTokenizer

      tokenizer = AutoTokenizer.from_pretrained("google/flan-t5-base")
      model = AutoModel.from_pretrained("bert-base-uncased")
      reviews = load_dataset("stanfordnlp/imdb")
      encoder = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
    `,
    // Package data and module names are resolved from the package, not the working directory.
    py`
      import importlib
      import pkgutil

      schema = pkgutil.get_data(__name__, "schemas/train.json")
      module = importlib.import_module("churn.features.encoders")
    `,
    // Probes adapt: a cached file is used only when it is there.
    py`
      import os

      import pandas as pd

      if os.path.exists("data/cache/features.parquet"):
          features = pd.read_parquet("data/cache/features.parquet")
      have_config = os.path.isfile("setup.cfg")
    `,
    // A script that sets its own working directory anchors its relative paths.
    py`
      import os

      import pandas as pd

      os.chdir(os.path.dirname(os.path.abspath(__file__)))
      df = pd.read_csv("data/train.csv")
    `,
    // setup.py is always run from its own folder.
    {
      filename: 'setup.py',
      code: py`
        from setuptools import setup

        version = open("src/churn/VERSION").read().strip()
        setup(name="churn", version=version)
      `,
    },
    // Messages, a symlink's target (relative to the link), and a function of the file that takes
    // a `path=` it may anchor itself.
    py`
      import logging
      import os

      logging.info("reading data/train.csv")
      os.symlink("../shared/data", "data")

      def load_table(path):
          return path

      regions = load_table(path="resources/regions.json")
    `,
    // Tests are out of scope by default.
    {
      code: 'import pandas as pd\n\ndf = pd.read_csv("data/train.csv")\n',
      filename: 'tests/test_data.py',
    },
  ],
  invalid: [
    // A relative folder path: the fix anchors it on the script's folder and imports Path once.
    {
      code: py`
        import pandas as pd

        df = pd.read_csv("data/train.csv")
      `,
      highlights: ['"data/train.csv"'],
      messages: [
        'Relative path "data/train.csv" reaches pandas.read_csv; it is resolved against the working directory',
      ],
      severities: ['warning'],
      output: py`
        import pandas as pd
        from pathlib import Path

        df = pd.read_csv(Path(__file__).resolve().parent / "data/train.csv")
      `,
    },
    // `../` climbs with `.parents[n]`; `./` is dropped; a bare data file that is read counts.
    {
      code: py`
        import pandas as pd
        import torch

        state = torch.load("../models/churn.pt", weights_only=True)
        preds.to_csv("./out/preds.csv")
        train = pd.read_csv("train.csv")
        config = open("config.yaml").read()
      `,
      highlights: ['"../models/churn.pt"', '"./out/preds.csv"', '"train.csv"', '"config.yaml"'],
      messages: [
        'reaches torch.load',
        'reaches .to_csv()',
        'reaches pandas.read_csv',
        'reaches builtins.open',
      ],
      output: py`
        import pandas as pd
        import torch
        from pathlib import Path

        state = torch.load(Path(__file__).resolve().parents[1] / "models/churn.pt", weights_only=True)
        preds.to_csv(Path(__file__).resolve().parent / "out/preds.csv")
        train = pd.read_csv(Path(__file__).resolve().parent / "train.csv")
        config = open(Path(__file__).resolve().parent / "config.yaml").read()
      `,
    },
    // A module constant joined with os.path.join is reported at the constant, naming the sink.
    {
      code: py`
        import os

        import pandas as pd

        DATA_DIR = "data/processed"
        features = pd.read_parquet(os.path.join(DATA_DIR, "features.parquet"))
      `,
      highlights: ['"data/processed"'],
      messages: ['"data/processed/features.parquet" reaches pandas.read_parquet (line 6)'],
      output: py`
        import os

        import pandas as pd
        from pathlib import Path

        DATA_DIR = Path(__file__).resolve().parent / "data/processed"
        features = pd.read_parquet(os.path.join(DATA_DIR, "features.parquet"))
      `,
    },
    // A `Path("...")` call is replaced whole; an existing `from pathlib import Path` is reused;
    // an f-string is kept as written.
    {
      code: py`
        from pathlib import Path

        import pandas as pd

        train = pd.read_csv(Path("data/raw") / "train.csv")
        split = pd.read_csv(f"data/splits/{fold}.csv")
        notes = Path("docs/notes.md").read_text()
      `,
      highlights: ['"data/raw"', 'f"data/splits/{fold}.csv"', '"docs/notes.md"'],
      messages: ['"data/raw/train.csv"', '"data/splits/{…}.csv"', 'reaches Path.read_text()'],
      output: py`
        from pathlib import Path

        import pandas as pd

        train = pd.read_csv(Path(__file__).resolve().parent / "data/raw" / "train.csv")
        split = pd.read_csv(Path(__file__).resolve().parent / f"data/splits/{fold}.csv")
        notes = (Path(__file__).resolve().parent / "docs/notes.md").read_text()
      `,
    },
    // Where the code needs a str (sys.path, `+`), the anchored path is wrapped in `str(...)`; a
    // prefix ending in a separator cannot be (str() would drop it), so it has no fix.
    {
      code: py`
        import sys

        import pandas as pd

        sys.path.insert(0, "../src")
        valid = pd.read_csv("data/valid" + ".csv")
        test = pd.read_csv("data/" + name)
      `,
      highlights: ['"../src"', '"data/valid"', '"data/"'],
      output: py`
        import sys

        import pandas as pd
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        valid = pd.read_csv(str(Path(__file__).resolve().parent / "data/valid") + ".csv")
        test = pd.read_csv("data/" + name)
      `,
    },
    // Location-named keywords of imported APIs, writes into folders, and `Path` bound to another
    // class (`pathlib.Path` is used with `import pathlib`).
    {
      code: py`
        from transformers import AutoModel, TrainingArguments

        from geometry import Path

        args = TrainingArguments(output_dir="outputs/bert-churn")
        model = AutoModel.from_pretrained("./models/bert-churn")
        with open("logs/train.log", "a") as log:
            log.write("start")
      `,
      highlights: ['"outputs/bert-churn"', '"./models/bert-churn"', '"logs/train.log"'],
      messages: ['reaches output_dir=', 'reaches .from_pretrained()', 'reaches builtins.open'],
      output: py`
        from transformers import AutoModel, TrainingArguments

        from geometry import Path
        import pathlib

        args = TrainingArguments(output_dir=pathlib.Path(__file__).resolve().parent / "outputs/bert-churn")
        model = AutoModel.from_pretrained(pathlib.Path(__file__).resolve().parent / "models/bert-churn")
        with open(pathlib.Path(__file__).resolve().parent / "logs/train.log", "a") as log:
            log.write("start")
      `,
    },
    // A negated probe does not make the read after it adapt.
    {
      code: py`
        import os

        import pandas as pd

        if not os.path.exists("data/train.csv"):
            download_dataset()
        df = pd.read_csv("data/train.csv")
      `,
      highlights: ['"data/train.csv"'],
      messages: ['Relative path "data/train.csv" reaches pandas.read_csv;'],
      output: py`
        import os

        import pandas as pd
        from pathlib import Path

        if not os.path.exists("data/train.csv"):
            download_dataset()
        df = pd.read_csv(Path(__file__).resolve().parent / "data/train.csv")
      `,
    },
    // Notebooks run from their own folder and have no `__file__`: a hint without a fix under the
    // default exploration profile.
    {
      filename: 'nb.ipynb',
      code: 'import pandas as pd\n# %%\ndf = pd.read_csv("data/train.csv")\n',
      highlights: ['"data/train.csv"'],
      severities: ['hint'],
    },
    // The production profile makes it a warning in notebooks too.
    {
      filename: 'nb.ipynb',
      config: { profile: 'production' },
      code: 'import pandas as pd\n# %%\nDATA_DIR = "data"\n# %%\ndf = pd.read_csv(f"{DATA_DIR}/train.csv")\n',
      highlights: ['"data"'],
      messages: ['"data/train.csv" reaches pandas.read_csv (cell 3, line 1)'],
      severities: ['warning'],
    },
  ],
});
