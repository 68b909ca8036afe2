import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { applyToSource } from '../../server/src/fixes/fixAll';
import { swallowedException } from '../../server/src/rules/swallowedException';
import { findingsOf, py, ruleTester, sourceFor } from '../harness/ruleTester';

ruleTester(swallowedException, {
  valid: [
    // Logged with a module logger, then re-raised.
    py`
      import logging
      logger = logging.getLogger(__name__)
      try:
          run()
      except Exception:
          logger.exception("run failed")
    `,
    // Re-raised as another error.
    py`
      try:
          run()
      except Exception as error:
          raise RuntimeError("run failed") from error
    `,
    // The exception is used.
    py`
      try:
          run()
      except BaseException as error:
          failures.append(error)
    `,
    // warnings.warn through an alias counts as reporting.
    py`
      import warnings as w
      try:
          run()
      except Exception:
          w.warn("run failed")
          result = None
    `,
    // A narrow fallback to a value is a decision, not a swallowed error.
    py`
      try:
          lr = config["lr"]
      except KeyError:
          lr = 1e-3
    `,
    // Optional dependency idiom.
    py`
      try:
          import wandb
      except ImportError:
          pass
    `,
    // Optional dependency idiom with a broad handler and a fallback value.
    py`
      try:
          import torch_xla.core.xla_model as xm
      except Exception:
          xm = None
    `,
    // Optional dependency idiom with a flag recording that the import worked.
    py`
      HAS_WANDB = False
      try:
          import wandb
          HAS_WANDB = True
      except ImportError:
          pass
    `,
    // A broad handler that does real work is not judged by this rule.
    py`
      try:
          model = load_primary()
      except Exception:
          model = load_fallback()
    `,
    // A narrow pass with an explanation.
    py`
      try:
          os.remove(lock)
      except FileNotFoundError:
          # Another worker already cleaned up.
          pass
    `,
    // Dead code is not reported.
    py`
      if False:
          try:
              run()
          except Exception:
              pass
    `,
    // contextlib.suppress of a narrow error.
    py`
      import contextlib
      with contextlib.suppress(FileNotFoundError):
          os.remove(lock)
    `,
    // Exception imported from a project is a narrow class: a fallback value is fine.
    py`
      from myproject.errors import Exception
      try:
          run()
      except Exception:
          status = None
    `,
    // A narrow pass with an else branch: the error is handled by taking the other branch.
    py`
      def lookup(cache, key):
          try:
              value = cache[key]
          except KeyError:
              pass
          else:
              return value
          return compute(key)
    `,
    // Narrow handlers for control flow: Ctrl-C ends training early on purpose, iterators end.
    py`
      try:
          for epoch in range(100):
              train_one_epoch()
      except KeyboardInterrupt:
          pass
      try:
          first = next(iterator)
      except (StopIteration, StopAsyncIteration):
          pass
    `,
    // A tuple of narrow classes through a local name, falling back to a value.
    py`
      RETRYABLE = (ConnectionError, TimeoutError)
      try:
          payload = fetch()
      except RETRYABLE:
          payload = None
    `,
    // contextlib.suppress of a narrow class through a parenthesized with.
    py`
      from contextlib import suppress
      with (suppress(FileNotFoundError)):
          os.remove(lock)
    `,
    // Tests are out of scope for this rule.
    { code: 'try:\n    run()\nexcept Exception:\n    pass\n', filename: 'tests/test_run.py' },
  ],
  invalid: [
    {
      code: py`
        import logging

        logger = logging.getLogger("train")
        try:
            run()
        except Exception:
            pass
      `,
      highlights: ['except Exception'],
      messages: ['swallows the error'],
      output: py`
        import logging

        logger = logging.getLogger("train")
        try:
            run()
        except Exception:
            logger.exception("Error ignored here")
            pass
      `,
    },
    {
      // Bare except in a loop, no logger yet: the fix adds the setup once after the imports.
      code: py`
        import os

        def load_all(paths):
            for path in paths:
                try:
                    frames.append(read(path))
                except:
                    continue
      `,
      highlights: ['except'],
      messages: ['bare `except:`'],
      output: py`
        import os
        import logging
        logger = logging.getLogger(__name__)

        def load_all(paths):
            for path in paths:
                try:
                    frames.append(read(path))
                except:
                    logger.exception("Error ignored in load_all()")
                    continue
      `,
    },
    {
      // A tuple holding a broad class, a constant return; one-line body.
      code: py`
        def score(x):
            try:
                return model.predict(x)
            except (ValueError, BaseException): return None
      `,
      highlights: ['except (ValueError, BaseException)'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        def score(x):
            try:
                return model.predict(x)
            except (ValueError, BaseException):
                logger.exception("Error ignored in score()")
                return None
      `,
    },
    {
      // Flag assignment, builtin imported through the builtins module.
      code: py`
        import builtins
        ok = True
        try:
            upload()
        except builtins.Exception:
            ok = False
      `,
      highlights: ['except builtins.Exception'],
      output: py`
        import builtins
        import logging
        logger = logging.getLogger(__name__)
        ok = True
        try:
            upload()
        except builtins.Exception:
            logger.exception("Error ignored here")
            ok = False
      `,
    },
    {
      // A narrow handler that does nothing is a hint.
      code: py`
        try:
            cache.clear()
        except KeyError:
            pass
      `,
      highlights: ['except KeyError'],
      severities: ['hint'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        try:
            cache.clear()
        except KeyError:
            logger.exception("Error ignored here")
            pass
      `,
    },
    {
      // contextlib.suppress becomes the equivalent try/except that logs.
      code: py`
        from contextlib import suppress

        with suppress(Exception):
            push_metrics()
            flush()  # best effort
        done()
      `,
      highlights: ['suppress(Exception)'],
      output: py`
        from contextlib import suppress
        import logging
        logger = logging.getLogger(__name__)

        try:
            push_metrics()
            flush()  # best effort
        except Exception:
            logger.exception("Error ignored here")
        done()
      `,
    },
    {
      // Inside another with: reported once; several classes become a tuple; one-line body.
      code: py`
        import contextlib
        import logging
        log = logging.getLogger(__name__)

        def upload(path):
            with open(path) as fh:
                with (contextlib.suppress(OSError, BaseException)): send(fh.read())
      `,
      highlights: ['contextlib.suppress(OSError, BaseException)'],
      output: py`
        import contextlib
        import logging
        log = logging.getLogger(__name__)

        def upload(path):
            with open(path) as fh:
                try: send(fh.read())
                except (OSError, BaseException):
                    log.exception("Error ignored in upload()")
      `,
    },
    {
      // Other items in the with, or classes computed by a call: no rewrite is offered.
      code: py`
        from contextlib import suppress
        with suppress(Exception), open(path) as fh:
            fh.read()
        with suppress(Exception, load_errors()):
            run()
      `,
      highlights: ['suppress(Exception)', 'suppress(Exception, load_errors())'],
    },
    {
      // A tuple holding Exception through a name bound once.
      code: py`
        import logging
        logger = logging.getLogger(__name__)
        IGNORED = (KeyError, Exception)
        try:
            run()
        except IGNORED:
            pass
      `,
      highlights: ['except IGNORED'],
      messages: ['`except IGNORED` swallows the error'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        IGNORED = (KeyError, Exception)
        try:
            run()
        except IGNORED:
            logger.exception("Error ignored here")
            pass
      `,
    },
    {
      // except* (exception groups) is reported as written; an unused alias is not a use.
      code: py`
        import logging
        logger = logging.getLogger(__name__)
        try:
            run_all()
        except* Exception as group:
            pass
      `,
      highlights: ['except* Exception'],
      messages: ['`except* Exception` swallows the error'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        try:
            run_all()
        except* Exception as group:
            logger.exception("Error ignored here")
            pass
      `,
    },
    {
      // Constant fallbacks: an empty dict, a negative number.
      code: py`
        import logging
        logger = logging.getLogger(__name__)
        def load_config(path):
            try:
                return parse(path)
            except Exception:
                return {}
        def count():
            try:
                return len(items())
            except BaseException:
                return -1
      `,
      highlights: ['except Exception', 'except BaseException'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        def load_config(path):
            try:
                return parse(path)
            except Exception:
                logger.exception("Error ignored in load_config()")
                return {}
        def count():
            try:
                return len(items())
            except BaseException:
                logger.exception("Error ignored in count()")
                return -1
      `,
    },
    {
      // Notebook: a logger set up in cell 1, the handler in cell 7; the fix uses it, adds nothing.
      filename: 'analysis.ipynb',
      code: py`
        import logging
        log = logging.getLogger("analysis")
        # %%
        import pandas as pd
        # %%
        df = pd.read_csv(path)
        # %%
        df.head()
        # %%
        features = build(df)
        # %%
        model = fit(features)
        # %%
        try:
            push(model)
        except Exception:
            pass
      `,
      highlights: ['except Exception'],
      output: py`
        import logging
        log = logging.getLogger("analysis")
        # %%
        import pandas as pd
        # %%
        df = pd.read_csv(path)
        # %%
        df.head()
        # %%
        features = build(df)
        # %%
        model = fit(features)
        # %%
        try:
            push(model)
        except Exception:
            log.exception("Error ignored here")
            pass
      `,
    },
    {
      // Notebook: the logger setup lands in the cell holding the imports.
      filename: 'explore.ipynb',
      code: 'import pandas as pd\n# %%\ntry:\n    df = pd.read_csv(p)\nexcept Exception:\n    df = None\n',
      highlights: ['except Exception'],
      output:
        'import pandas as pd\nimport logging\nlogger = logging.getLogger(__name__)\n# %%\ntry:\n    df = pd.read_csv(p)\nexcept Exception:\n    logger.exception("Error ignored here")\n    df = None\n',
    },
    {
      // Notebook without imports whose first cell starts with a cell magic: the setup goes below
      // `%%time`, which must stay the cell's first line (found by the fuzzer).
      filename: 'explore.ipynb',
      code: '%%time\nwarm_up()\n# %%\ntry:\n    run()\nexcept:\n    pass\n',
      highlights: ['except'],
      output:
        '%%time\nimport logging\nlogger = logging.getLogger(__name__)\nwarm_up()\n# %%\ntry:\n    run()\nexcept:\n    logger.exception("Error ignored here")\n    pass\n',
    },
    {
      // A try body that does more than import is not the optional-dependency idiom.
      code: py`
        try:
            import wandb
            wandb.init(project="churn")
        except Exception:
            wandb = None
      `,
      highlights: ['except Exception'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        try:
            import wandb
            wandb.init(project="churn")
        except Exception:
            logger.exception("Error ignored here")
            wandb = None
      `,
    },
    {
      // A CRLF file: the inserted lines, also those splitting a one-line handler, end in CRLF.
      code: 'import logging\r\n\r\nlogger = logging.getLogger(__name__)\r\ntry:\r\n    run()\r\nexcept Exception: pass\r\ntry:\r\n    upload()\r\nexcept Exception:\r\n    ok = False\r\n',
      highlights: ['except Exception', 'except Exception'],
      output:
        'import logging\r\n\r\nlogger = logging.getLogger(__name__)\r\ntry:\r\n    run()\r\nexcept Exception:\r\n    logger.exception("Error ignored here")\r\n    pass\r\ntry:\r\n    upload()\r\nexcept Exception:\r\n    logger.exception("Error ignored here")\r\n    ok = False\r\n',
    },
  ],
});

/** The table applies each finding's first fix; the second action (re-raise) is checked here. */
describe('MLH102 second action: let the error propagate', () => {
  before(() => ensureEngine());

  const secondFix = (code: string) => {
    const { findings, file } = findingsOf(swallowedException, sourceFor(code));
    assert.equal(findings.length, 1);
    return { titles: findings[0].fixes.map((f) => f.title), file, fixes: findings[0].fixes };
  };

  it('replaces a swallowing handler body with raise', () => {
    const { titles, file, fixes } = secondFix('try:\n    run()\nexcept Exception:\n    pass\n');
    assert.equal(titles[1], 'Re-raise the exception');
    assert.equal(fixes[1].safety, 'unsafe');
    assert.equal(
      applyToSource(file, fixes[1].edits)?.text,
      'try:\n    run()\nexcept Exception:\n    raise\n',
    );
  });

  it('removes contextlib.suppress and dedents its body', () => {
    const { titles, file, fixes } = secondFix(py`
      import contextlib
      def main():
          with contextlib.suppress(Exception):
              upload(x)
              if retry:
                  upload(x)  # again
          done()
    `);
    assert.equal(titles[1], 'Remove contextlib.suppress and let errors propagate');
    assert.equal(fixes[1].safety, 'unsafe');
    assert.equal(
      applyToSource(file, fixes[1].edits)?.text,
      py`
        import contextlib
        def main():
            upload(x)
            if retry:
                upload(x)  # again
            done()
      `,
    );
  });

  it('does not dedent a body holding a string that spans lines', () => {
    const { titles } = secondFix(
      'import contextlib\nwith contextlib.suppress(Exception):\n    run("""a\n    b""")\n',
    );
    assert.deepEqual(titles, [
      'Replace contextlib.suppress with try/except that logs with logger.exception()',
    ]);
  });
});
