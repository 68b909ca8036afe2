import { swallowedException } from '../../server/src/rules/swallowedException';
import { py, ruleTester } from '../harness/ruleTester';

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
      code: py`
        from contextlib import suppress

        with suppress(Exception):
            push_metrics()
      `,
      highlights: ['suppress(Exception)'],
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
