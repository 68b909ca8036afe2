import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loggingNeverConfigured } from '../../server/src/rules/loggingNeverConfigured';
import { projectFiles } from '../../server/src/workspace/project';
import { py, ruleTester } from '../harness/ruleTester';

/** A project folder holding the given files; the linted file is `train.py` at its root. */
function projectWith(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'mlh104-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return projectFiles(join(root, 'train.py'), root, {});
}

const ENTRY = py`
  import logging

  logger = logging.getLogger(__name__)

  def train():
      logger.info("training")

  if __name__ == "__main__":
      train()
`;

const CONFIGURED_ENTRY = (importLine: string) => `${importLine}\n${ENTRY}`;

ruleTester(loggingNeverConfigured, {
  valid: [
    // basicConfig in the main block.
    py`
      import logging
      logger = logging.getLogger(__name__)
      if __name__ == "__main__":
          logging.basicConfig(level=logging.INFO)
          logger.info("start")
    `,
    // A library without an entry point leaves configuration to its caller.
    py`
      import logging
      logger = logging.getLogger(__name__)
      def load(path):
          logger.info("loading %s", path)
    `,
    // A flat script without a main block is not judged.
    py`
      import logging
      logging.info("starting")
    `,
    // WARNING and above are shown without configuration.
    py`
      import logging
      logger = logging.getLogger(__name__)
      if __name__ == "__main__":
          logger.warning("disk almost full")
          logger.error("failed")
    `,
    // dictConfig through an alias, configured inside main().
    py`
      import logging
      from logging.config import dictConfig as configure
      log = logging.getLogger("job")
      def main():
          configure(CONFIG)
          log.info("start")
      if __name__ == "__main__":
          main()
    `,
    // A handler added to a logger.
    py`
      import logging
      logger = logging.getLogger(__name__)
      logger.addHandler(logging.StreamHandler())
      if __name__ == "__main__":
          logger.info("x")
    `,
    // DEBUG is meant to stay hidden until asked for; only INFO records count.
    py`
      import logging
      logger = logging.getLogger(__name__)
      if __name__ == "__main__":
          logger.debug("x")
          logger.log(logging.DEBUG, "y")
    `,
    // A main block that runs the module's doctests leaves it a library.
    py`
      import logging
      log = logging.getLogger(__name__)
      def newkeys(n):
          log.info("generating %d-bit keys", n)
      if __name__ == "__main__":
          import doctest
          doctest.testmod()
    `,
    // Logging libraries that configure output: loguru, structlog, rich, absl, Hydra.
    py`
      import logging
      import structlog
      if __name__ == "__main__":
          structlog.configure(processors=[])
          logging.info("x")
    `,
    py`
      import logging
      from rich.logging import RichHandler
      if __name__ == "__main__":
          logging.info("x")
    `,
    py`
      import logging
      from absl import app
      def main(argv):
          logging.info("x")
      if __name__ == "__main__":
          app.run(main)
    `,
    py`
      import logging
      import hydra
      log = logging.getLogger(__name__)
      @hydra.main(config_path="conf")
      def main(cfg):
          log.info("x")
      if __name__ == "__main__":
          main()
    `,
    // A logger that is not the standard library's.
    py`
      import logging
      logger = make_logger()
      if __name__ == "__main__":
          logger.info("x")
    `,
    // Calls in strings, comments and dead code are not calls.
    py`
      import logging
      if __name__ == "__main__":
          # logging.info("x")
          print("logging.info('x')")
          if False:
              logging.info("x")
    `,
    // Tests are out of scope.
    {
      filename: 'tests/test_train.py',
      code: 'import logging\nif __name__ == "__main__":\n    logging.info("x")\n',
    },
    // A notebook that configures logging.
    {
      filename: 'nb.ipynb',
      code: py`
        import logging
        logging.basicConfig(level=logging.INFO)
        # %%
        logging.info("ready")
      `,
    },
    // A project module the program imports configures logging: a sibling module...
    {
      code: CONFIGURED_ENTRY('from utils import setup_logging'),
      project: projectWith({
        'utils.py':
          'import logging\n\ndef setup_logging():\n    logging.basicConfig(level=logging.INFO)\n',
      }),
    },
    // ...a package's __init__.py, for a submodule import...
    {
      code: CONFIGURED_ENTRY('import mypkg.data'),
      project: projectWith({
        'mypkg/__init__.py': 'import logging.config\nlogging.config.dictConfig(CONFIG)\n',
        'mypkg/data.py': 'X = 1\n',
      }),
    },
    // ...a module found by a relative import, or a package folder above the program.
    {
      code: CONFIGURED_ENTRY('from .log import setup'),
      project: projectWith({
        'log.py': 'from loguru import logger\n',
      }),
    },
    {
      code: CONFIGURED_ENTRY('from common import logs'),
      project: projectWith({
        'common/logs.py':
          'import logging\nhandler = logging.StreamHandler()\nlogging.getLogger().addHandler(handler)\n',
      }),
    },
  ],
  invalid: [
    {
      code: ENTRY,
      highlights: ['if __name__ == "__main__"'],
      messages: ['logger.info() (line 6)'],
      severities: ['warning'],
      output: py`
        import logging

        logger = logging.getLogger(__name__)

        def train():
            logger.info("training")

        if __name__ == "__main__":
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            train()
      `,
    },
    {
      // Logging imported under an alias: the fix adds `import logging` for the call.
      code: py`
        import logging as lg
        import sys

        log = lg.getLogger("train")

        if __name__ == '__main__':
            # Parse the arguments first.
            args = sys.argv[1:]
            log.info("args %s", args)
      `,
      highlights: ["if __name__ == '__main__'"],
      messages: ['log.info() (line 9)'],
      output: py`
        import logging as lg
        import sys
        import logging

        log = lg.getLogger("train")

        if __name__ == '__main__':
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            # Parse the arguments first.
            args = sys.argv[1:]
            log.info("args %s", args)
      `,
    },
    {
      // A one-line main block is split; the condition written the other way round.
      code: py`
        from logging import getLogger, info

        def main():
            info("start")

        if "__main__" == __name__: main()
      `,
      highlights: ['if "__main__" == __name__'],
      messages: ['info() (line 4)'],
      output: py`
        from logging import getLogger, info
        import logging

        def main():
            info("start")

        if "__main__" == __name__:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            main()
      `,
    },
    {
      // Loggers kept on an attribute, got inline, or called with an explicit level.
      code: py`
        import logging

        class Trainer:
            def __init__(self):
                self.log = logging.getLogger("trainer")

            def fit(self):
                self.log.info("fitting")

        def report():
            logging.getLogger(__name__).info("report")
            logging.getLogger().log(logging.INFO, "details")

        if __name__ == "__main__":
            Trainer().fit()
      `,
      highlights: ['if __name__ == "__main__"'],
      messages: ['self.log.info() (line 8)'],
      output: py`
        import logging

        class Trainer:
            def __init__(self):
                self.log = logging.getLogger("trainer")

            def fit(self):
                self.log.info("fitting")

        def report():
            logging.getLogger(__name__).info("report")
            logging.getLogger().log(logging.INFO, "details")

        if __name__ == "__main__":
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            Trainer().fit()
      `,
    },
    {
      // A logger got inline, and an explicit INFO level through an aliased logger.
      code: py`
        import logging as lg

        if __name__ == "__main__":
            lg.getLogger(__name__).debug("starting")
            lg.getLogger("job").info("started")
      `,
      highlights: ['if __name__ == "__main__"'],
      messages: ['lg.getLogger("job").info() (line 5)'],
      output: py`
        import logging as lg
        import logging

        if __name__ == "__main__":
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            lg.getLogger(__name__).debug("starting")
            lg.getLogger("job").info("started")
      `,
    },
    {
      code: py`
        import logging

        def run(log):
            pass

        if __name__ == "__main__":
            log = logging.getLogger()
            log.log(logging.INFO, "started")
      `,
      highlights: ['if __name__ == "__main__"'],
      messages: ['log.log() (line 8)'],
      output: py`
        import logging

        def run(log):
            pass

        if __name__ == "__main__":
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            log = logging.getLogger()
            log.log(logging.INFO, "started")
      `,
    },
    {
      // A project module that does not configure logging (a comment is not a call) does not help.
      code: CONFIGURED_ENTRY('import helpers'),
      project: projectWith({
        'helpers.py': 'import logging\n# logging.basicConfig(level=logging.INFO)\nX = 1\n',
      }),
      highlights: ['if __name__ == "__main__"'],
      output: `import helpers\n${py`
        import logging

        logger = logging.getLogger(__name__)

        def train():
            logger.info("training")

        if __name__ == "__main__":
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            train()
      `}`,
    },
    {
      // Notebook: reported on the first INFO call; the fix lands after the first cell's imports.
      filename: 'train.ipynb',
      code: py`
        import logging
        import pandas as pd
        # %%
        df = pd.read_csv(path)
        # %%
        logger = logging.getLogger("nb")
        logger.info("rows: %d", len(df))
        logger.info("done")
      `,
      highlights: ['logger.info'],
      messages: ['never configured in this notebook'],
      severities: ['information'],
      output: py`
        import logging
        import pandas as pd
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # %%
        df = pd.read_csv(path)
        # %%
        logger = logging.getLogger("nb")
        logger.info("rows: %d", len(df))
        logger.info("done")
      `,
    },
    {
      // Notebook without a plain `import logging`: it is added with the configuration.
      filename: 'train.ipynb',
      code: py`
        from logging import info
        # %%
        info("x")
      `,
      highlights: ['info'],
      output: py`
        from logging import info
        import logging
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # %%
        info("x")
      `,
    },
    {
      // CRLF line breaks are kept.
      code: 'import logging\r\n\r\nif __name__ == "__main__":\r\n    logging.info("x")\r\n',
      highlights: ['if __name__ == "__main__"'],
      output:
        'import logging\r\n\r\nif __name__ == "__main__":\r\n    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")\r\n    logging.info("x")\r\n',
    },
  ],
});
