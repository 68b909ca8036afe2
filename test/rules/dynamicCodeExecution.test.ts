import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { dynamicCodeExecution } from '../../server/src/rules/dynamicCodeExecution';
import { py, ruleTester } from '../harness/ruleTester';
import { requestedReports } from './requestedReports';

ruleTester(dynamicCodeExecution, {
  valid: [
    // Literal code, and code built only from literals and constants.
    py`
      import textwrap

      OPERATOR = "+"
      x = eval("1 + 2")
      exec("import math")
      y = eval("3 %s 4" % OPERATOR)
      exec(textwrap.dedent("""
          def f():
              return 1
      """))
      exec(compile("total = 0", "<setup>", "exec"))
    `,
    // Loops over constant sequences (stdlib tests): `for op in "<", "<=":`, tuples of cases, range.
    py`
      def test_comparisons(c, x, y):
          for op in "<", "<=", "==":
              assert eval("c[x] %s c[y]" % op) == eval("x %s y" % op)
          cases = [("walrus", "(y := 1)"), ("nested", "[(z := 2) for _ in range(1)]")]
          for name, code in cases:
              exec(code, {}, {})
          for lit in ["1_000", "0x_ff"]:
              assert eval(lit) == eval(lit.replace("_", ""))
          for lit in [
              # Trailing underscores:
              "0_",
          ]:
              assert eval(lit) is None
          for i in range(256):
              assert eval(r"'\\%o'" % i) == chr(i)
    `,
    // ast.literal_eval, and eval/exec that are methods or shadowed names.
    py`
      import ast

      import torch

      def eval(expression):
          return expression

      params = ast.literal_eval(line)
      model = torch.nn.Linear(4, 2)
      model.eval()
      score = eval(line)
      frame.eval(command)
    `,
    // Reading back repr(x) checks the program's own object (a __repr__ round trip).
    py`
      import numpy as np

      def test_repr_round_trip(matrix, record):
          assert eval(repr(matrix)) == matrix
          assert eval("np." + repr(record), {"np": np}) == record
          assert eval(matrix.__repr__()) == matrix
          text = repr(record)
          assert eval(text) == record
    `,
    // DataFrame.query/eval over literals, @-references and interpolated local constants.
    py`
      import pandas as pd

      df = pd.read_csv("customers.csv")
      min_age = 18
      limits = {"age": 18}
      adults = df.query("age >= @min_age")
      teens = df.query(f"age < {min_age}")
      for column in ("age", "income"):
          positive = df.query(f"{column} > 0")
      ratio = df.eval("income / age")
      total = pd.eval("df.age + df.income")
    `,
    // `.query` on things that are not DataFrames: SQLAlchemy sessions, search clients.
    py`
      from sqlalchemy.orm import Session

      def users(session: Session, name):
          rows = session.query(User).filter(User.name == name)
          hits = es_client.query(name)
          return rows, hits
    `,
    // Strings, comments and docstrings only mention eval.
    py`
      HELP = "never call eval(user_input) or exec(open(path).read())"

      def run():
          """Was: exec(open(script).read())."""
          # value = eval(line)
          return HELP
    `,
  ],
  invalid: [
    // eval of data read from a file: fixed to ast.literal_eval, import added.
    {
      code: py`
        import json

        with open("params.txt") as f:
            params = eval(f.readline())
        for line in open("rows.txt"):
            row = eval(line.strip())
      `,
      highlights: ['eval', 'eval'],
      messages: ['`eval` runs a string that is not written in the code'],
      severities: ['warning', 'warning'],
      output: py`
        import json
        import ast

        with open("params.txt") as f:
            params = ast.literal_eval(f.readline())
        for line in open("rows.txt"):
            row = ast.literal_eval(line.strip())
      `,
    },
    // eval of a config value, with ast already imported; a code-like name gets no fix.
    {
      code: py`
        import ast
        import configparser

        config = configparser.ConfigParser()
        config.read("train.ini")
        layers = eval(config["model"]["layers"])
        loss_expr = config["model"]["loss"]
        loss = eval(loss_expr)
      `,
      highlights: ['eval', 'eval'],
      output: py`
        import ast
        import configparser

        config = configparser.ConfigParser()
        config.read("train.ini")
        layers = ast.literal_eval(config["model"]["layers"])
        loss_expr = config["model"]["loss"]
        loss = eval(loss_expr)
      `,
    },
    // Globals or locals passed: no fix, the caller evaluates names.
    {
      code: py`
        def resolve(name, namespace):
            return eval(name, namespace)
      `,
      highlights: ['eval'],
    },
    // Running a file, directly, through a `with` and through compile.
    {
      code: py`
        from pathlib import Path

        exec(open("setup_env.py").read())
        with open("hooks.py") as f:
            exec(f.read(), {})
        exec(compile(Path("settings.py").read_text(), "settings.py", "exec"))
      `,
      highlights: ['exec', 'exec', 'exec'],
      messages: [
        '`exec` runs the contents of a file as code',
        '`exec` runs the contents of a file as code',
        '`exec` runs the contents of a file as code',
      ],
    },
    // exec of a string assembled at run time, and of a compiled one.
    {
      code: py`
        def make_accessor(field):
            exec(f"def get_{field}(row): return row.{field}")
            source = "value = " + field
            code = compile(source, "<generated>", "exec")
            exec(code)
      `,
      highlights: ['exec', 'exec'],
      messages: [
        '`exec` runs a string',
        '`exec(compile(...))` runs a string that is not written in the code',
      ],
    },
    // pandas: a query built from parameters, pd.eval, and df.eval on a derived frame.
    {
      code: py`
        import pandas as pd

        def select(df: pd.DataFrame, column, threshold):
            return df.query(f"{column} > {threshold}")

        def score(customers, formula):
            frame = pd.read_parquet(customers)
            kept = frame.dropna()
            return pd.eval(formula), kept.eval(formula)
      `,
      highlights: ['df.query', 'pd.eval', 'kept.eval'],
      messages: [
        '`df.query` evaluates a string that is not written in the code',
        '`pd.eval`',
        '`kept.eval`',
      ],
    },
    // Provenance: a command-line argument, console input and an HTTP request are named.
    {
      code: py`
        import sys

        from flask import Flask, request

        app = Flask(__name__)
        threshold = eval(sys.argv[1])
        answer = eval(input("value: "))

        @app.post("/filter")
        def filter_rows():
            rule = request.args.get("rule")
            return str(eval(rule))
      `,
      highlights: ['eval', 'eval', 'eval'],
      messages: [
        '; the string comes from a command-line argument',
        '; the string comes from console input',
        '; the string comes from an HTTP request',
      ],
      output: py`
        import sys

        from flask import Flask, request
        import ast

        app = Flask(__name__)
        threshold = ast.literal_eval(sys.argv[1])
        answer = ast.literal_eval(input("value: "))

        @app.post("/filter")
        def filter_rows():
            rule = request.args.get("rule")
            return str(eval(rule))
      `,
    },
    // Notebooks and tests report too.
    {
      filename: 'nb.ipynb',
      code: 'import pandas as pd\ndf = pd.read_csv("x.csv")\n# %%\ncond = settings["filter"]\n# %%\ndf.query(cond)\n',
      highlights: ['df.query'],
      severities: ['warning'],
    },
    {
      filename: 'tests/test_config.py',
      code: py`
        def test_parse(raw):
            assert eval(raw) == {"a": 1}
      `,
      highlights: ['eval'],
      severities: ['warning'],
      output: py`
        import ast
        def test_parse(raw):
            assert ast.literal_eval(raw) == {"a": 1}
      `,
    },
  ],
});

describe('MLH305 asks for an error when the string comes from outside', () => {
  before(() => ensureEngine());

  it('requests severity error only for strings with a provenance', () => {
    const reports = requestedReports(
      dynamicCodeExecution,
      py`
        import os

        def run(expression):
            return eval(expression)

        limit = eval(os.environ["LIMIT"])
        with open(os.environ["PYTHONSTARTUP"]) as f:
            exec(compile(f.read(), "startup", "exec"), {})
      `,
    );
    assert.deepEqual(
      reports.map((r) => [r.text, r.severity]),
      [
        ['eval', undefined],
        ['eval', 'error'],
        ['exec', 'error'],
      ],
    );
    assert.match(reports[1].message, /; the string comes from an environment variable$/);
    assert.match(
      reports[2].message,
      /contents of a file.*; the path of the code comes from an environment variable$/,
    );
  });
});
