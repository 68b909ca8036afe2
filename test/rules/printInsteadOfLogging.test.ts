import { printInsteadOfLogging } from '../../server/src/rules/printInsteadOfLogging';
import { percentPlaceholder } from '../../server/src/rules/printInsteadOfLogging';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectFiles } from '../../server/src/workspace/project';
import { py, ruleTester } from '../harness/ruleTester';

/** A package with a `__main__.py`, holding the linted module `tool/report.py`. */
const runnablePackage = (() => {
  const root = mkdtempSync(join(tmpdir(), 'mlh101-'));
  mkdirSync(join(root, 'tool'));
  writeFileSync(join(root, 'tool', '__init__.py'), '');
  writeFileSync(join(root, 'tool', '__main__.py'), 'from tool.report import report\n');
  return projectFiles(join(root, 'tool', 'report.py'), root, {});
})();

ruleTester(printInsteadOfLogging, {
  valid: [
    // Tests are out of scope.
    {
      filename: 'tests/test_model.py',
      code: py`
        def check(model):
            print(model.predict([[1.0]]))
      `,
    },
    // A print to a file handle is output, not logging.
    py`
      def train(model, X, y, report):
          model.fit(X, y)
          print("score", model.score(X, y), file=report)
    `,
    // A wrapper forwarding **kwargs may print anywhere.
    py`
      def echo(*args, **kwargs):
          print(*args, **kwargs)
    `,
    // A flat script reporting its result at the top level (scikit-learn's examples).
    py`
      from sklearn.datasets import load_iris
      from sklearn.svm import SVC

      X, y = load_iris(return_X_y=True)
      clf = SVC().fit(X, y)
      print("accuracy: %.2f" % clf.score(X, y))
      for name, value in zip(["a", "b"], clf.support_):
          print(name, value)
    `,
    // A helper only the top level calls reports results too.
    py`
      from sklearn.linear_model import RidgeClassifier

      def benchmark(clf):
          clf.fit(X_train, y_train)
          print(f"accuracy: {clf.score(X_test, y_test):.3f}")

      for clf in [RidgeClassifier()]:
          benchmark(clf)
    `,
    // The main block, and what only it calls, print the results of a CLI.
    py`
      import joblib

      def evaluate(model, X, y):
          print("accuracy", model.score(X, y))

      def main():
          model = joblib.load(path)
          print(model.predict(X))

      if __name__ == "__main__":
          main()
          evaluate(model, X, y)
          print("done")
    `,
    // A script's code outside functions is its entry point, before the main block too.
    py`
      import sys

      try:
          import annoy
      except ImportError:
          print("annoy is required to run this example")
          sys.exit()

      def run():
          return annoy.AnnoyIndex(2).build(10)

      if __name__ == "__main__":
          print(run(), clf.predict(X))
    `,
    // No model code: a plain CLI with helpers.
    py`
      import sys

      def count(path):
          n = sum(1 for _ in open(path))
          print(path, n)
          return n

      def total(paths):
          return sum(count(p) for p in paths)

      if __name__ == "__main__":
          print(total(sys.argv[1:]))
    `,
    // No model code: a plain script that calls its own functions.
    py`
      def show(rows):
          for row in rows:
              print(row)

      def load():
          return [1, 2]

      show(load())
    `,
    // Not the builtin print.
    py`
      from rich import print

      def report(x):
          print(x)
    `,
    // Prints in strings, comments and docstrings are text.
    py`
      def fit_model(model, X, y):
          """Fits the model; print(model) shows it."""
          # print("fitting")
          return model.fit(X, y), "print(x)"
    `,
    // Dead code.
    py`
      def f(x):
          if False:
              print(x)
          return x
    `,
    // A library's console-script entry point and a click command print for the user.
    py`
      import click

      def main():
          print("usage: tool FILE")

      @click.command()
      def predict_cli(path):
          print(load(path).predict(rows))
    `,
    // A distribution's fit is a module function, not a model.
    py`
      from scipy import stats

      def describe(data):
          print(stats.norm.fit(data))

      def describe_all(datasets):
          for data in datasets:
              describe(data)

      if __name__ == "__main__":
          describe_all([[1.0, 2.0], [3.0]])
    `,
    // turtle's backward(distance) is not a training step.
    py`
      import turtle

      t = turtle.Turtle()
      for i in range(4):
          t.backward(100)
          print(i)
    `,
    // A notebook reporting results at its top level.
    {
      filename: 'explore.ipynb',
      code: py`
        from sklearn.linear_model import LinearRegression
        # %%
        model = LinearRegression().fit(X, y)
        print(model.coef_)
      `,
    },
    // Opt-in output: under a verbosity flag, in functions named for printing, in a console dialogue.
    py`
      def fit(self, X, y):
          for i in range(self.max_iter):
              self.coef_ = self.update(X, y)
              if self.verbose > 1:
                  print(f"iteration {i}")
          if disp:
              print("converged")
          return self.predict(X)

      def print_summary(model):
          print(model.coef_)

      def vprint(model):
          print(model)

      def traced(func):
          def wrapper(*args):
              if not DEBUG_FIT:
                  return func(*args)
              print("calling", func.__name__, args)
              return func(*args)
          return wrapper

      def describe(model):
          for name, value in model.get_params().items():
              print(name, value)

      def ask_threshold(model):
          print("current threshold:", model.threshold_)
          return float(input("new threshold? "))
    `,
    // A module of a package run with \`python -m\` is part of the application, not a library.
    {
      code: py`
        def report(rows):
            print(len(rows), "rows")
      `,
      project: runnablePackage,
    },
    // A command-line module's prints are its interface.
    {
      filename: 'churn/cli.py',
      code: py`
        def predict_command(model, rows):
            print(model.predict(rows))
      `,
    },
    // A browser page's evaluate() is not a model.
    py`
      import asyncio

      async def title_of(page):
          title = await page.evaluate("document.title")
          print(title)
          return title

      async def scrape(pages):
          return [await title_of(p) for p in pages]

      asyncio.run(scrape(pages))
    `,
    // A script handing its own function to a library is running, not a library.
    py`
      import mpmath

      def f(x):
          return x + mpmath.sin(x)

      p, q = mpmath.pade(mpmath.taylor(f, 0, 20), 9, 10)
      print("p =", p)
    `,
    // A function called only from the entry point, though a method elsewhere shares its name.
    py`
      def evaluate(model, X, y):
          print("accuracy", model.score(X, y))

      if __name__ == "__main__":
          model.fit(X, y)
          evaluate(model, X, y)
          trainer.evaluate()
    `,
    // print passed as a callback is not a call.
    py`
      def run(model, callback=print):
          model.fit(X, y, callback=callback)
    `,
  ],
  invalid: [
    {
      // Library code: the fix adds the logger once after the imports.
      code: py`
        import numpy as np

        def normalize(x):
            print("normalizing", x.shape)
            return (x - x.mean()) / x.std()

        def clip(x):
            print(f"clipping {x.size} values")
            return np.clip(x, 0, 1)
      `,
      highlights: ['print', 'print'],
      messages: ['importable module', 'importable module'],
      severities: ['warning', 'warning'],
      output: py`
        import numpy as np
        import logging
        logger = logging.getLogger(__name__)

        def normalize(x):
            logger.info("normalizing %s", x.shape)
            return (x - x.mean()) / x.std()

        def clip(x):
            logger.info("clipping %s values", x.size)
            return np.clip(x, 0, 1)
      `,
    },
    {
      // An import-time print in a library, inside an optional-import guard.
      code: py`
        try:
            import torch
        except ImportError:
            print("torch is not installed; using numpy")

        def to_array(x):
            return x
      `,
      highlights: ['print'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        try:
            import torch
        except ImportError:
            logger.info("torch is not installed; using numpy")

        def to_array(x):
            return x
      `,
    },
    {
      // A training loop at the top level of a flat script: progress, not a result.
      code: py`
        import torch

        for epoch in range(3):
            for x, y in loader:
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
            print(f"epoch {epoch}: loss {loss.item():.4f} ({100 * epoch / 3:.0f}%)")
        print("final loss", loss.item())
      `,
      highlights: ['print'],
      messages: ['training loop'],
      output: py`
        import torch
        import logging
        logger = logging.getLogger(__name__)

        for epoch in range(3):
            for x, y in loader:
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
            logger.info("epoch %s: loss %.4f (%.0f%%)", epoch, loss.item(), 100 * epoch / 3)
        print("final loss", loss.item())
      `,
    },
    {
      // A training loop in the main block, and one calling a function that trains.
      code: py`
        import logging

        log = logging.getLogger("train")

        def train_one_epoch(model, loader, opt):
            for x, y in loader:
                opt.zero_grad()
                model(x).sum().backward()
                opt.step()

        if __name__ == "__main__":
            for epoch in range(5):
                train_one_epoch(model, loader, opt)
                print("epoch", epoch, "done")
            while not converged:
                clf.partial_fit(next(batches), classes=[0, 1])
                print(clf.score(X_val, y_val))
            print("best epoch", best)
      `,
      highlights: ['print', 'print'],
      output: py`
        import logging

        log = logging.getLogger("train")

        def train_one_epoch(model, loader, opt):
            for x, y in loader:
                opt.zero_grad()
                model(x).sum().backward()
                opt.step()

        if __name__ == "__main__":
            for epoch in range(5):
                train_one_epoch(model, loader, opt)
                log.info("epoch %s done", epoch)
            while not converged:
                clf.partial_fit(next(batches), classes=[0, 1])
                log.info("%s", clf.score(X_val, y_val))
            print("best epoch", best)
      `,
    },
    {
      // Model code outside the entry point; stderr becomes a warning; main() may print.
      code: py`
        import sys

        def evaluate(model, X, y):
            acc = model.score(X, y)
            if acc < 0.5:
                print(f"low accuracy {acc!r}", file=sys.stderr)
            print(f"{acc=}", flush=True)
            return acc

        def main():
            model = train()
            print("accuracy", evaluate(model.fit(X, y), X, y))

        if __name__ == "__main__":
            main()
      `,
      highlights: ['print', 'print'],
      messages: ['in evaluate() of code that trains', 'in evaluate()'],
      output: py`
        import sys
        import logging
        logger = logging.getLogger(__name__)

        def evaluate(model, X, y):
            acc = model.score(X, y)
            if acc < 0.5:
                logger.warning("low accuracy %r", acc)
            logger.info("acc=%r", acc)
            return acc

        def main():
            model = train()
            print("accuracy", evaluate(model.fit(X, y), X, y))

        if __name__ == "__main__":
            main()
      `,
    },
    {
      // With print-allowed-in-main = false the entry point is reported too.
      config: { 'print-allowed-in-main': false },
      code: py`
        def main():
            model.fit(X, y)
            print("fitted")

        if __name__ == "__main__":
            main()
            print("done")
      `,
      highlights: ['print', 'print'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        def main():
            model.fit(X, y)
            logger.info("fitted")

        if __name__ == "__main__":
            main()
            logger.info("done")
      `,
    },
    {
      // A serving handler; a method of a class; a print in a lambda.
      code: py`
        from fastapi import FastAPI

        app = FastAPI()

        class Scorer:
            def score(self, row):
                print("row:", row)
                return self.model.predict([row])

        @app.post("/predict")
        def predict(row: dict):
            return list(map(lambda r: print(r) or r, [row]))
      `,
      highlights: ['print', 'print'],
      messages: ['in Scorer.score()', 'in predict()'],
      output: py`
        from fastapi import FastAPI
        import logging
        logger = logging.getLogger(__name__)

        app = FastAPI()

        class Scorer:
            def score(self, row):
                logger.info("row: %s", row)
                return self.model.predict([row])

        @app.post("/predict")
        def predict(row: dict):
            return list(map(lambda r: logger.info("%s", r) or r, [row]))
      `,
    },
    {
      // loguru formats with braces: the format spec is kept as is, literal braces doubled.
      code: py`
        from loguru import logger

        def fit(model, X, y):
            model.fit(X, y)
            print(f"loss {model.loss_:.4f} in {{epochs}}", model.n_iter_)
            print("{} set", "train")
      `,
      highlights: ['print', 'print'],
      output: py`
        from loguru import logger

        def fit(model, X, y):
            model.fit(X, y)
            logger.info("loss {:.4f} in {{epochs}} {}", model.loss_, model.n_iter_)
            logger.info("{} set train")
      `,
    },
    {
      // A structlog logger takes key-value events: reported without a fix.
      code: py`
        import structlog

        logger = structlog.get_logger()

        def fit(model, X, y):
            model.fit(X, y)
            print("fitted", model)
      `,
      highlights: ['print'],
    },
    {
      // Texts the fix cannot keep exactly are reported without a fix.
      code: py`
        def fit(model, X, y, parts):
            model.fit(X, y)
            print(f"{len(X):,} rows")
            print(f"{'x':^10}")
            print(".", end="")
            print("a", "b", sep=model.sep)
            print(*parts)
            print(f"{model.score(X, y):.1%}")
            print(f"{X:{width}}")
            print(
                "rows",  # the number of rows
                len(X),
            )
      `,
      highlights: ['print', 'print', 'print', 'print', 'print', 'print', 'print', 'print'],
    },
    {
      // Percent signs, separators, quotes, raw strings and conversions.
      code: py`
        def fit(model, X, y, name, rate, h, v):
            model.fit(X, y)
            print("100% done")
            print("rate", rate, "%")
            print(name, rate, sep=", ")
            print('it\\'s', "a \\"test\\"", rate)
            print(r"C:\\data", "x", rate)
            print(rf"\\d+ {rate}")
            print(f"{name!r} {{x}} {name:>10}|{name:<10}|{v:+08.3f}|{rate:5d}|{h:#x}")
            print(x for x in X)
            print()
      `,
      highlights: ['print', 'print', 'print', 'print', 'print', 'print', 'print', 'print', 'print'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        def fit(model, X, y, name, rate, h, v):
            model.fit(X, y)
            logger.info("100% done")
            logger.info("rate %s %%", rate)
            logger.info("%s, %s", name, rate)
            logger.info("it\\'s a \\"test\\" %s", rate)
            logger.info("C:\\\\data x %s", rate)
            logger.info(r"\\d+ %s", rate)
            logger.info("%r {x} %10s|%-10s|%+08.3f|%5d|%#x", name, name, name, v, rate, h)
            logger.info("%s", (x for x in X))
      `,
    },
    {
      // A multi-line print keeps one argument per line and its strings' line breaks.
      code: py`
        def report(model, mean, std, params):
            model.fit(X, y)
            print(
                f"precision: {mean:0.3f} (+/-{std:0.03f}),"
                f" for {params}"
            )
            print(
                "The selected model is the fastest "
                "to predict.",
            )
      `,
      highlights: ['print', 'print'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        def report(model, mean, std, params):
            model.fit(X, y)
            logger.info(
                "precision: %0.3f (+/-%0.03f),"
                " for %s",
                mean,
                std,
                params,
            )
            logger.info(
                "The selected model is the fastest "
                "to predict.",
            )
      `,
    },
    {
      // Top-level code running before the late import would call the function before the logger exists.
      code: py`
        from sklearn.model_selection import GridSearchCV

        def refit_strategy(results):
            print("choosing among", len(results))
            return 0

        search = GridSearchCV(model, grid, refit=refit_strategy).fit(X, y)

        from sklearn.metrics import classification_report
      `,
      highlights: ['print'],
    },
    {
      // An empty print alone in its block cannot be removed; a multi-line print stays multi-line.
      code: py`
        def fit(model, X, y):
            model.fit(X, y)
            if len(X) > 1000:
                print()
            print(
                "fitted",
                model,
            )
      `,
      highlights: ['print', 'print'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        def fit(model, X, y):
            model.fit(X, y)
            if len(X) > 1000:
                print()
            logger.info(
                "fitted %s",
                model,
            )
      `,
    },
    {
      // A local name shadowing the logger, and an import-time print before the logger exists.
      code: py`
        print("loading")
        import numpy as np

        def fit(model, logger):
            print("fitting")
            return model
      `,
      highlights: ['print', 'print'],
    },
    {
      // Notebook: a logger made in cell 1 is reused in cell 3, no second logger; a hint by default.
      filename: 'train.ipynb',
      code: py`
        import logging
        import torch
        logger = logging.getLogger("nb")
        # %%
        model = build()
        # %%
        for epoch in range(3):
            loss = step(model)
            loss.backward()
            opt.step()
            print(f"epoch {epoch} loss {loss:.3f}")
      `,
      highlights: ['print'],
      severities: ['hint'],
      output: py`
        import logging
        import torch
        logger = logging.getLogger("nb")
        # %%
        model = build()
        # %%
        for epoch in range(3):
            loss = step(model)
            loss.backward()
            opt.step()
            logger.info("epoch %s loss %.3f", epoch, loss)
      `,
    },
    {
      // Notebook under the production profile: a warning; the setup lands in the first cell.
      filename: 'train.ipynb',
      config: { profile: 'production' },
      code: py`
        import pandas as pd
        from sklearn.svm import SVC
        # %%
        def fit_all(models, X, y):
            for m in models:
                fit_one(m, X, y)

        def fit_one(m, X, y):
            m.fit(X, y)
            print(type(m).__name__, "fitted")
        # %%
        fit_all([SVC()], X, y)
      `,
      highlights: ['print'],
      severities: ['warning'],
      output: py`
        import pandas as pd
        from sklearn.svm import SVC
        import logging
        logger = logging.getLogger(__name__)
        # %%
        def fit_all(models, X, y):
            for m in models:
                fit_one(m, X, y)

        def fit_one(m, X, y):
            m.fit(X, y)
            logger.info("%s fitted", type(m).__name__)
        # %%
        fit_all([SVC()], X, y)
      `,
    },
    {
      // A CRLF file keeps CRLF in the added lines; an empty print on its own line is removed.
      code: 'import os\r\n\r\ndef fit(model, X, y):\r\n    model.fit(X, y)\r\n    print()\r\n    print("done")\r\n',
      highlights: ['print', 'print'],
      output:
        'import os\r\nimport logging\r\nlogger = logging.getLogger(__name__)\r\n\r\ndef fit(model, X, y):\r\n    model.fit(X, y)\r\n    logger.info("done")\r\n',
    },
  ],
});

describe('MLH101 format specs', () => {
  it('converts specs with an exact %-equivalent and withholds the rest', () => {
    const cases: [string | undefined, string | undefined, string | undefined][] = [
      [undefined, undefined, '%s'],
      ['r', undefined, '%r'],
      ['a', undefined, '%a'],
      [undefined, '.4f', '%.4f'],
      [undefined, '10.2e', '%10.2e'],
      [undefined, '<8.3f', '%-8.3f'],
      [undefined, ' d', '% d'],
      [undefined, '08d', '%08d'],
      [undefined, '#o', '%#o'],
      [undefined, 'G', '%G'],
      [undefined, '>10', '%10s'],
      [undefined, '10s', '%-10s'],
      [undefined, '.3s', '%.3s'],
      ['r', '>12', '%12r'],
      ['r', '12', '%-12r'],
      [undefined, '10', undefined],
      [undefined, '.3', undefined],
      [undefined, '^10', undefined],
      [undefined, '*>10', undefined],
      [undefined, ',d', undefined],
      [undefined, '_', undefined],
      [undefined, '.1%', undefined],
      [undefined, 'b', undefined],
      [undefined, 'n', undefined],
      [undefined, '.2d', undefined],
      [undefined, '<08d', undefined],
      [undefined, 'z.2f', undefined],
      ['r', '.2f', undefined],
    ];
    for (const [conversion, spec, expected] of cases)
      assert.equal(percentPlaceholder(conversion, spec), expected, `!${conversion}:${spec}`);
  });
});
