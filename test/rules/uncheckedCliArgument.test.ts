import { uncheckedCliArgument } from '../../server/src/rules/uncheckedCliArgument';
import { py, ruleTester } from '../harness/ruleTester';

ruleTester(uncheckedCliArgument, {
  valid: [
    // argparse, click and typer declare their arguments.
    py`
      import argparse

      import click
      import pandas as pd
      import typer

      parser = argparse.ArgumentParser()
      parser.add_argument("data_path")
      args = parser.parse_args(sys.argv[1:])
      frame = pd.read_csv(args.data_path)

      @click.command()
      @click.argument("model_path")
      def score(model_path):
          return open(model_path).read()

      def main(epochs: int = typer.Option(10)):
          return int(epochs)
    `,
    // A length check anywhere in the script guards its uses (stdlib shlex, lib2to3, awscli).
    py`
      import sys

      if __name__ == "__main__":
          if len(sys.argv) == 1:
              tokens = list(sys.stdin)
          else:
              fn = sys.argv[1]
              with open(fn) as f:
                  tokens = f.read().split()
    `,
    py`
      import sys

      if len(sys.argv) == 3:
          cmdline = sys.argv[1]
          point = int(sys.argv[2])
    `,
    // A truth test of the argument list, and a slice bound to a name that is tested.
    py`
      import sys

      args = sys.argv[1:]
      if not args:
          raise SystemExit("usage: train.py DATA_CSV")
      data = open(sys.argv[1]).read()
    `,
    // A try that catches the IndexError of a missing argument.
    py`
      import sys

      try:
          epochs = int(sys.argv[1])
      except (IndexError, ValueError):
          epochs = 10
    `,
    // The script name, a membership test and a plain print are not arguments used unchecked.
    py`
      import os
      import sys

      HERE = os.path.dirname(sys.argv[0])
      with open(os.path.join(HERE, "config.json")) as f:
          config = f.read()
      if "--use-digits-dataset" in sys.argv:
          print("digits")
      print("running", sys.argv[1])
    `,
    // A local list named argv, and an argument passed to a function of the project.
    py`
      import sys

      argv = ["train.py", "data.csv"]
      frame = open(argv[1]).read()
      main(sys.argv[1])
    `,
    // Strings, comments and docstrings mention argv only.
    py`
      import sys

      USAGE = "python train.py int(sys.argv[1])"

      def main():
          """Reads open(sys.argv[1])."""
          # epochs = int(sys.argv[2])
          return USAGE
    `,
    // Notebooks get kernel arguments in sys.argv; tests are off.
    {
      code: 'import sys\n# %%\nepochs = int(sys.argv[1])\n',
      filename: 'nb.ipynb',
    },
    {
      code: py`
        import sys

        def test_cli():
            assert int(sys.argv[1]) > 0
      `,
      filename: 'tests/test_cli.py',
    },
  ],
  invalid: [
    // The simple positional case: each argument named after its variable, typed when converted.
    {
      code: py`
        import sys

        import joblib
        import pandas as pd

        data_path = sys.argv[1]
        epochs = int(sys.argv[2])
        frame = pd.read_csv(data_path)
        model = joblib.load(sys.argv[3])
        print(model.predict(frame), epochs)
      `,
      highlights: ['sys.argv[1]', 'sys.argv[2]', 'sys.argv[3]'],
      messages: [
        '`sys.argv[1]` is used as a path (pandas.read_csv) without checking that it was given',
        '`sys.argv[2]` is converted with int() without checking that it was given',
        '`sys.argv[3]` is used as a path (joblib.load)',
      ],
      severities: ['warning', 'warning', 'warning'],
      output: py`
        import sys

        import joblib
        import pandas as pd
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("data_path")
        parser.add_argument("epochs", type=int)
        parser.add_argument("model_path")
        args = parser.parse_args()
        data_path = args.data_path
        epochs = args.epochs
        frame = pd.read_csv(data_path)
        model = joblib.load(args.model_path)
        print(model.predict(frame), epochs)
      `,
    },
    // `from sys import argv` in main(): the parser goes before the first use; `args` is taken.
    {
      code: py`
        from sys import argv

        import torch

        def main():
            args = {"lr": 0.1}
            model = torch.nn.Linear(4, 2)
            steps = float(argv[1])
            torch.save(model.state_dict(), argv[2])
            return steps, args

        if __name__ == "__main__":
            main()
      `,
      highlights: ['argv[1]', 'argv[2]'],
      messages: ['converted with float()', 'used as a path (torch.save)'],
      output: py`
        from sys import argv

        import torch
        import argparse

        def main():
            args = {"lr": 0.1}
            model = torch.nn.Linear(4, 2)
            parser = argparse.ArgumentParser()
            parser.add_argument("steps", type=float)
            parser.add_argument("arg2")
            cli_args = parser.parse_args()
            steps = cli_args.steps
            torch.save(model.state_dict(), cli_args.arg2)
            return steps, args

        if __name__ == "__main__":
            main()
      `,
    },
    // Inside the entry block, through `import sys as s`, a Path and an f-string: the parser is
    // built in the entry block, so importing the module parses nothing.
    {
      code: py`
        import sys as s
        from pathlib import Path

        import numpy as np

        if __name__ == "__main__":
            run = s.argv[1]
            features = np.load(Path("runs") / f"{run}.npy")
      `,
      highlights: ['s.argv[1]'],
      output: py`
        import sys as s
        from pathlib import Path

        import numpy as np
        import argparse

        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("run")
            args = parser.parse_args()
            run = args.run
            features = np.load(Path("runs") / f"{run}.npy")
      `,
    },
    // Passed to a model: reported, and fixed. An argument given to a model and also printed
    // keeps its string type.
    {
      code: py`
        import sys

        from transformers import pipeline

        classifier = pipeline("sentiment-analysis")
        text = sys.argv[1]
        print("input:", text)
        print(classifier.predict(text))
      `,
      highlights: ['sys.argv[1]'],
      messages: ['is passed to a model (.predict())'],
      output: py`
        import sys

        from transformers import pipeline
        import argparse

        classifier = pipeline("sentiment-analysis")
        parser = argparse.ArgumentParser()
        parser.add_argument("text")
        args = parser.parse_args()
        text = args.text
        print("input:", text)
        print(classifier.predict(text))
      `,
    },
    // A Path bound to a name and read later.
    {
      code: py`
        import sys
        from pathlib import Path

        def main():
            config_file = Path(sys.argv[1])
            return config_file.read_text()
      `,
      highlights: ['sys.argv[1]'],
      messages: ['used as a path (Path.read_text())'],
      output: py`
        import sys
        from pathlib import Path
        import argparse

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("arg1")
            args = parser.parse_args()
            config_file = Path(args.arg1)
            return config_file.read_text()
      `,
    },
    // No fix when the arguments skip a position, when sys.argv is also used as a list, or when
    // the uses are in a function other than main.
    {
      code: py`
        import sys

        src = open(sys.argv[1]).read()
        dst = open(sys.argv[3], "w")
      `,
      highlights: ['sys.argv[1]', 'sys.argv[3]'],
    },
    {
      code: py`
        import sys

        log_everything = "--verbose" in sys.argv
        epochs = int(sys.argv[1])
      `,
      highlights: ['sys.argv[1]'],
    },
    {
      code: py`
        import sys

        def load_data():
            return open(sys.argv[1]).read()
      `,
      highlights: ['sys.argv[1]'],
    },
    // A try that only catches ValueError still lets a missing argument through.
    {
      code: py`
        import sys

        try:
            batch_size = int(sys.argv[1])
        except ValueError:
            batch_size = 32
      `,
      highlights: ['sys.argv[1]'],
      output: py`
        import sys
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("batch_size", type=int)
        args = parser.parse_args()
        try:
            batch_size = args.batch_size
        except ValueError:
            batch_size = 32
      `,
    },
  ],
});
