import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { originalSlice } from '../../server/src/engine/source';
import { unloggedTrainingLoop } from '../../server/src/rules/unloggedTrainingLoop';
import { loadFile } from '../../server/src/workspace/files';
import { findingsOf, py, ruleTester } from '../harness/ruleTester';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'training');

/** Realistic training programs and what MLH103 reports in each (highlighted text, in order). */
const EXPECTED: Record<string, string[]> = {
  'accelerate_loop.py': [],
  'hf_trainer.py': ['Trainer'],
  'keras_train.py': ['model.fit'],
  'lightning_module.py': [],
  'mnist_print.py': [],
  'out_of_core_sgd.py': [],
  'regression.ipynb': ['for epoch in range(50):'],
  'reinforce.py': [],
  'silent_classifier.py': ['for epoch in range(epochs):'],
  'tf_custom_loop.py': ['for epoch in range(10):'],
  'trainer_tensorboard.py': [],
};

describe('MLH103 over realistic training programs (test/fixtures/training)', () => {
  before(() => ensureEngine());

  it('has an expectation for every fixture', () => {
    assert.deepEqual(readdirSync(FIXTURES).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, highlights] of Object.entries(EXPECTED)) {
    it(name, () => {
      const { findings, file } = findingsOf(
        unloggedTrainingLoop,
        loadFile(join(FIXTURES, name)).source,
      );
      assert.deepEqual(
        findings.map((f) => originalSlice(file, f.start, f.end)),
        highlights,
      );
    });
  }
});

ruleTester(unloggedTrainingLoop, {
  valid: [
    // Per-epoch logging in the outer loop covers the batch loop inside it.
    py`
      import logging
      log = logging.getLogger("train")
      for epoch in range(10):
          for x, y in loader:
              loss = criterion(model(x), y)
              loss.backward()
              optimizer.step()
          log.info("epoch %d loss %.4f", epoch, loss.item())
    `,
    // logging module functions, through an alias.
    py`
      import logging as lg
      for x, y in loader:
          loss = criterion(model(x), y)
          loss.backward()
          opt.step()
          lg.info("loss %s", loss.item())
    `,
    // MLflow through an import alias, in the inner loop.
    py`
      import mlflow as mf
      for epoch in range(3):
          for step, (x, y) in enumerate(loader):
              loss = criterion(model(x), y)
              loss.backward()
              optimizer.step()
              mf.log_metrics({"loss": loss.item()}, step=step)
    `,
    // A W&B run bound from wandb.init.
    py`
      import wandb
      run = wandb.init(project="churn")
      for epoch in range(3):
          loss = train_loss(model)
          loss.backward()
          optimizer.step()
          run.log({"loss": loss.item()})
    `,
    // A SummaryWriter imported under another name and bound to a short variable.
    py`
      from torch.utils.tensorboard import SummaryWriter as SW
      tb = SW()
      for epoch in range(3):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          tb.add_scalar("loss", loss.item(), epoch)
    `,
    // tf.summary inside a custom TensorFlow loop.
    py`
      import tensorflow as tf
      for epoch in range(3):
          with tf.GradientTape() as tape:
              loss = loss_fn(y, model(x))
          grads = tape.gradient(loss, model.trainable_weights)
          optimizer.apply_gradients(zip(grads, model.trainable_weights))
          tf.summary.scalar("loss", loss, step=epoch)
    `,
    // Accelerate: the accelerator records.
    py`
      from accelerate import Accelerator
      acc = Accelerator(log_with="wandb")
      for epoch in range(3):
          for batch in loader:
              loss = model(**batch).loss
              acc.backward(loss)
              optimizer.step()
          acc.log({"train_loss": loss.item()}, step=epoch)
    `,
    // Lightning-style self.log_dict in a custom loop.
    py`
      class Loop:
          def fit(self):
              for epoch in range(3):
                  loss = self.compute_loss()
                  self.manual_backward(loss)
                  self.opt.step()
                  self.log_dict({"loss": loss})
    `,
    // Neptune's run["..."].append.
    py`
      import neptune
      run = neptune.init_run()
      for epoch in range(3):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          run["train/loss"].append(loss.item())
    `,
    // Comet's experiment.log_metric and ClearML's report_scalar.
    py`
      from clearml import Logger
      for epoch in range(3):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          Logger.current_logger().report_scalar("loss", "train", loss.item(), epoch)
    `,
    // loguru's logger.
    py`
      from loguru import logger as lg
      for epoch in range(3):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          lg.info("epoch {} loss {}", epoch, loss.item())
    `,
    // A loop that prints is left to MLH101.
    py`
      for epoch in range(3):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          print(f"epoch {epoch} loss {loss.item():.4f}")
    `,
    // A progress bar showing the loss.
    py`
      from tqdm import tqdm
      bar = tqdm(loader)
      for x, y in bar:
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          bar.set_postfix(loss=loss.item())
    `,
    // A function of this file that records, called from the loop.
    py`
      import mlflow

      def record(epoch, loss):
          mlflow.log_metric("loss", loss, step=epoch)

      for epoch in range(3):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          record(epoch, loss.item())
    `,
    // The batch loop lives in a function run from an epoch loop that records.
    py`
      import logging
      logger = logging.getLogger(__name__)

      def train_epoch(model, loader, optimizer):
          for x, y in loader:
              loss = criterion(model(x), y)
              loss.backward()
              optimizer.step()

      for epoch in range(10):
          train_epoch(model, loader, optimizer)
          logger.info("epoch %d done", epoch)
    `,
    // The same with methods: the epoch loop calls self._run_epoch() and logs.
    py`
      class Trainer:
          def _run_epoch(self):
              for batch in self.loader:
                  loss = self.model(batch)
                  loss.backward()
                  self.optimizer.step()

          def fit(self):
              for epoch in range(self.epochs):
                  self._run_epoch()
                  self.logger.info("epoch %d", epoch)
    `,
    // Three levels (epoch loop → _run_epoch → _run_batch): the batch method's logging covers it.
    py`
      import logging
      logger = logging.getLogger(__name__)

      class Trainer:
          def _run_batch(self, source, targets):
              loss = self.criterion(self.model(source), targets)
              loss.backward()
              self.optimizer.step()
              if self.step % 100 == 0:
                  logger.info("step %d loss %.4f", self.step, loss.item())

          def _run_epoch(self, epoch):
              for source, targets in self.train_data:
                  self._run_batch(source, targets)

          def train(self, max_epochs):
              for epoch in range(max_epochs):
                  self._run_epoch(epoch)
    `,
    // A training function that returns the history it collects leaves recording to its caller.
    py`
      def train(model, loader, epochs):
          history = []
          for epoch in range(epochs):
              for x, y in loader:
                  loss = criterion(model(x), y)
                  loss.backward()
                  optimizer.step()
              history.append(loss.item())
          return model, history
    `,
    // A generator yielding each epoch's loss.
    py`
      def train(model, loader):
          for epoch in range(10):
              loss = criterion(model(x), y)
              loss.backward()
              optimizer.step()
              yield epoch, loss.item()
    `,
    // Callback dispatch hands the metrics to code this file does not show.
    py`
      for epoch in range(10):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
          callback.on_epoch_end(epoch, {"loss": loss.item()})
    `,
    // Stepping a scheduler or an environment is not training.
    py`
      for epoch in range(10):
          scheduler.step()
          obs, reward, done, info = env.step(action)
          lr_scheduler.step()
    `,
    // A turtle moving backward is not backpropagation (turtledemo in the standard library).
    py`
      from turtle import Turtle
      class Designer(Turtle):
          def design(self, scale):
              for i in range(5):
                  self.forward(64.65 * scale)
                  self.backward(64.65 * scale)
                  self.right(72)
    `,
    // partial_fit of a scaler over chunks fits preprocessing statistics.
    py`
      import pandas as pd
      from sklearn.preprocessing import StandardScaler
      norm = StandardScaler()
      for chunk in pd.read_csv(path, chunksize=10_000):
          norm.partial_fit(chunk)
    `,
    // A training step outside any loop (Lightning's training_step).
    py`
      class Model:
          def training_step(self, batch, batch_idx):
              loss = self.loss(batch)
              loss.backward()
              return loss
    `,
    // scikit-learn's fit is not Keras: nothing to record.
    py`
      from sklearn.linear_model import LogisticRegression
      clf = LogisticRegression()
      clf.fit(X, y)
    `,
    // Keras: a kept History, or callbacks.
    py`
      from tensorflow import keras
      model = keras.Sequential([keras.layers.Dense(1)])
      history = model.fit(x, y, epochs=3)
      model.fit(x, y, epochs=3, callbacks=[keras.callbacks.CSVLogger(log_path)])
      model.fit(x, y, **fit_kwargs)
    `,
    // A Keras fit inside a cross-validation loop that logs each fold.
    py`
      import logging
      for fold, (train, val) in enumerate(folds):
          model.compile(optimizer="adam", loss="mse")
          model.fit(x[train], y[train], epochs=3)
          logging.info("fold %d score %.3f", fold, model.evaluate(x[val], y[val]))
    `,
    // Hugging Face Trainer reporting somewhere, or with a callback.
    py`
      from transformers import Trainer, TrainingArguments
      args = TrainingArguments(output_dir=out, report_to="mlflow")
      Trainer(model=model, args=args, train_dataset=ds).train()
      quiet = TrainingArguments(output_dir=out, report_to="none")
      Trainer(model, quiet, callbacks=[MetricsCallback()]).train()
      trainer = Trainer(model, quiet)
      trainer.add_callback(MetricsCallback())
    `,
    // Training code inside a string is not code.
    py`
      SNIPPET = """
      for epoch in range(3):
          loss.backward()
          optimizer.step()
      """
    `,
    // Dead code.
    py`
      if False:
          for epoch in range(3):
              loss.backward()
              optimizer.step()
    `,
    // Tests are out of scope.
    {
      filename: 'tests/test_train.py',
      code: 'for epoch in range(3):\n    loss.backward()\n    optimizer.step()\n',
    },
    // Extra recording calls from the configuration.
    {
      code: py`
        from myproject.tracking import push_metric
        for epoch in range(3):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            push_metric("loss", loss.item())
      `,
      config: { 'tracking-calls': ['myproject.tracking.push_metric'] },
    },
    // Notebook: a recording function defined in one cell, the loop in another.
    {
      filename: 'train.ipynb',
      code: py`
        import torch
        import wandb
        # %%
        def log_epoch(epoch, loss):
            wandb.log({"epoch": epoch, "loss": loss})
        # %%
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        # %%
        for epoch in range(5):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            log_epoch(epoch, loss.item())
      `,
    },
  ],
  invalid: [
    {
      // The spec's case: an epoch loop over a batch loop, nothing recorded; the logger is added.
      code: py`
        import torch

        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(10):
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
      `,
      highlights: ['for epoch in range(10):'],
      messages: ['`for` loop trains (`loss.backward()`) but records no metric'],
      severities: ['warning'],
      output: py`
        import torch
        import logging
        logger = logging.getLogger(__name__)

        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(10):
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
            logger.info("epoch %d loss %.4f", epoch, loss.item())
      `,
    },
    {
      // An existing logger is used as it is; a step counter from enumerate.
      code: py`
        import logging
        logger = logging.getLogger(__name__)

        def train(model, loader, optim):
            for i, (x, y) in enumerate(loader):
                loss = criterion(model(x), y)
                loss.backward()
                optim.step()
            return model
      `,
      highlights: ['for i, (x, y) in enumerate(loader):'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)

        def train(model, loader, optim):
            for i, (x, y) in enumerate(loader):
                loss = criterion(model(x), y)
                loss.backward()
                optim.step()
                logger.info("step %d loss %.4f", i, loss.item())
            return model
      `,
    },
    {
      // No counter to log by: reported without a fix.
      code: py`
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
      `,
      highlights: ['for x, y in loader:'],
    },
    {
      // A while loop with a step counter; the optimizer is known from torch.optim, not its name.
      code: py`
        from torch import optim
        import logging
        logger = logging.getLogger(__name__)
        sgd = optim.SGD(params, lr=0.1)
        step = 0
        while step < max_steps:
            batch = next(stream)
            loss = model(batch)
            (loss / accumulation).backward()
            sgd.step()
            step += 1
      `,
      highlights: ['while step < max_steps:'],
      messages: ['`while` loop trains'],
      output: py`
        from torch import optim
        import logging
        logger = logging.getLogger(__name__)
        sgd = optim.SGD(params, lr=0.1)
        step = 0
        while step < max_steps:
            batch = next(stream)
            loss = model(batch)
            (loss / accumulation).backward()
            sgd.step()
            step += 1
            logger.info("step %d loss %.4f", step, loss.item())
      `,
    },
    {
      // scikit-learn partial_fit with a throwaway counter: no fix.
      code: py`
        from sklearn.decomposition import MiniBatchNMF
        nmf = MiniBatchNMF(n_components=5)
        for _ in range(10):
            nmf.partial_fit(X)
      `,
      highlights: ['for _ in range(10):'],
      messages: ['`nmf.partial_fit()`'],
    },
    {
      // Keras train_on_batch returns the loss (or a list of metrics): logged with %s.
      code: py`
        import logging
        logger = logging.getLogger(__name__)
        for epoch in range(20):
            for x, y in batches:
                loss = model.train_on_batch(x, y)
      `,
      highlights: ['for epoch in range(20):'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        for epoch in range(20):
            for x, y in batches:
                loss = model.train_on_batch(x, y)
            logger.info("epoch %d loss %s", epoch, loss)
      `,
    },
    {
      // Mixed precision and Accelerate: the loss is found through scale() and backward(loss).
      code: py`
        import logging
        from tqdm import trange
        logger = logging.getLogger(__name__)
        for epoch in trange(epochs):
            for batch in loader:
                with autocast():
                    loss = model(**batch).loss
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
      `,
      highlights: ['for epoch in trange(epochs):'],
      messages: ['`scaler.scale(loss).backward()`'],
      output: py`
        import logging
        from tqdm import trange
        logger = logging.getLogger(__name__)
        for epoch in trange(epochs):
            for batch in loader:
                with autocast():
                    loss = model(**batch).loss
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            logger.info("epoch %d loss %.4f", epoch, loss.item())
      `,
    },
    {
      // A GAN: both losses are logged, each by its name.
      code: py`
        import logging
        logger = logging.getLogger(__name__)
        for epoch in range(100):
            for real in loader:
                loss_d = d_loss(real)
                loss_d.backward()
                opt_d.step()
                loss_g = g_loss(real)
                loss_g.backward()
                optG.step()
      `,
      highlights: ['for epoch in range(100):'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        for epoch in range(100):
            for real in loader:
                loss_d = d_loss(real)
                loss_d.backward()
                opt_d.step()
                loss_g = g_loss(real)
                loss_g.backward()
                optG.step()
            logger.info("epoch %d loss_d %.4f loss_g %.4f", epoch, loss_d.item(), loss_g.item())
      `,
    },
    {
      // An epoch loop running a training function of this file: the epoch loop is the nest, and
      // what the function returns is logged.
      code: py`
        import logging
        logger = logging.getLogger(__name__)

        def train_epoch(model, loader, optimizer):
            total = 0.0
            for x, y in loader:
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.item()
            return total / len(loader)

        for epoch in range(10):
            train_loss = train_epoch(model, loader, optimizer)
      `,
      highlights: ['for epoch in range(10):'],
      messages: ['`train_epoch()`'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)

        def train_epoch(model, loader, optimizer):
            total = 0.0
            for x, y in loader:
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.item()
            return total / len(loader)

        for epoch in range(10):
            train_loss = train_epoch(model, loader, optimizer)
            logger.info("epoch %d loss %s", epoch, train_loss)
      `,
    },
    {
      // Three levels and nothing recorded: the epoch loop is the nest (the DDP tutorial's shape).
      code: py`
        class Trainer:
            def _run_batch(self, source, targets):
                loss = self.criterion(self.model(source), targets)
                loss.backward()
                self.optimizer.step()

            def _run_epoch(self, epoch):
                for source, targets in self.train_data:
                    self._run_batch(source, targets)

            def train(self, max_epochs):
                for epoch in range(max_epochs):
                    self._run_epoch(epoch)
                    if epoch % self.save_every == 0:
                        self._save_checkpoint(epoch)
      `,
      highlights: ['for epoch in range(max_epochs):'],
      messages: ['`self._run_epoch()`'],
    },
    {
      // Math on tensors (`logits.log()`, `np.log`) is not logging.
      code: py`
        import numpy as np
        for x, y in loader:
            logits = model(x)
            loss = -(logits.log() * y).sum() + np.log(2)
            loss.backward()
            optimizer.step()
      `,
      highlights: ['for x, y in loader:'],
    },
    {
      // DeepSpeed: the engine's backward(loss) and step(); the counter names the label.
      code: py`
        import logging
        logger = logging.getLogger(__name__)
        for global_step, batch in enumerate(loader):
            loss = model_engine(batch)
            model_engine.backward(loss)
            model_engine.step()
      `,
      highlights: ['for global_step, batch in enumerate(loader):'],
      messages: ['`model_engine.backward()`'],
      output: py`
        import logging
        logger = logging.getLogger(__name__)
        for global_step, batch in enumerate(loader):
            loss = model_engine(batch)
            model_engine.backward(loss)
            model_engine.step()
            logger.info("global_step %d loss %.4f", global_step, loss.item())
      `,
    },
    {
      // A hyper-parameter sweep is the outermost loop: it is the nest that must record.
      code: py`
        for lr in [1e-3, 1e-4]:
            opt = make_optimizer(lr)
            for epoch in range(10):
                loss = criterion(model(x), y)
                loss.backward()
                opt.step()
      `,
      highlights: ['for lr in [1e-3, 1e-4]:'],
    },
    {
      // TensorFlow custom loop: the loss is the tape's target, converted with float().
      code: py`
        import tensorflow as tf
        import logging
        logger = logging.getLogger(__name__)
        for epoch in range(5):
            for x, y in dataset:
                with tf.GradientTape() as tape:
                    loss = loss_fn(y, model(x, training=True))
                grads = tape.gradient(loss, model.trainable_weights)
                optimizer.apply_gradients(zip(grads, model.trainable_weights))
      `,
      highlights: ['for epoch in range(5):'],
      messages: ['`optimizer.apply_gradients()`'],
      output: py`
        import tensorflow as tf
        import logging
        logger = logging.getLogger(__name__)
        for epoch in range(5):
            for x, y in dataset:
                with tf.GradientTape() as tape:
                    loss = loss_fn(y, model(x, training=True))
                grads = tape.gradient(loss, model.trainable_weights)
                optimizer.apply_gradients(zip(grads, model.trainable_weights))
            logger.info("epoch %d loss %.4f", epoch, float(loss))
      `,
    },
    {
      // loguru: `{}` placeholders; a trailing comment stays on its line.
      code: py`
        from loguru import logger
        for epoch in range(5):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()  # one step per epoch
        save(model)
      `,
      highlights: ['for epoch in range(5):'],
      output: py`
        from loguru import logger
        for epoch in range(5):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()  # one step per epoch
            logger.info("epoch {} loss {:.4f}", epoch, loss.item())
        save(model)
      `,
    },
    {
      // Keras fit with its History discarded and no callbacks; tf.keras resolves to keras.
      code: py`
        import tensorflow as tf
        net = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        net.compile(optimizer="adam", loss="mse")
        net.fit(x, y, epochs=10, callbacks=[])
      `,
      highlights: ['net.fit'],
      messages: ['`net.fit()` discards its History and has no callbacks'],
    },
    {
      // A model built elsewhere is known to be Keras because it is compiled.
      code: py`
        model = build_model()
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(train_ds, validation_data=val_ds, epochs=10)
      `,
      highlights: ['model.fit'],
    },
    {
      // A Trainer whose TrainingArguments (followed through a local name) report to nothing.
      code: py`
        from transformers import Trainer, TrainingArguments
        REPORT = "none"
        training_args = TrainingArguments(output_dir=out, num_train_epochs=3, report_to=REPORT)
        trainer = Trainer(model=model, args=training_args, train_dataset=train_ds)
        trainer.train()
      `,
      highlights: ['Trainer'],
      messages: ['reports to no tracker'],
    },
    {
      // A CRLF file gets CRLF lines.
      code: 'import logging\r\nlogger = logging.getLogger(__name__)\r\nfor epoch in range(3):\r\n    loss = model(x)\r\n    loss.backward()\r\n    optimizer.step()\r\n',
      highlights: ['for epoch in range(3):'],
      output:
        'import logging\r\nlogger = logging.getLogger(__name__)\r\nfor epoch in range(3):\r\n    loss = model(x)\r\n    loss.backward()\r\n    optimizer.step()\r\n    logger.info("epoch %d loss %.4f", epoch, loss.item())\r\n',
    },
    {
      // Notebook: the loop in its own cell; the logger setup goes after the imports of cell 1.
      filename: 'train.ipynb',
      code: py`
        import torch
        from torch import nn
        # %%
        model = nn.Linear(10, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        # %%
        for epoch in range(5):
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
      `,
      highlights: ['for epoch in range(5):'],
      severities: ['information'],
      output: py`
        import torch
        from torch import nn
        import logging
        logger = logging.getLogger(__name__)
        # %%
        model = nn.Linear(10, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        # %%
        for epoch in range(5):
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            logger.info("epoch %d loss %.4f", epoch, loss.item())
      `,
    },
    {
      // Notebook: the logger is set up in an earlier cell; the fix uses it and adds nothing.
      filename: 'train.ipynb',
      code: py`
        import logging
        log = logging.getLogger("nb")
        # %%
        import torch
        # %%
        for epoch in range(5):
            loss = model(x).sum()
            loss.backward()
            optimizer.step()
      `,
      highlights: ['for epoch in range(5):'],
      output: py`
        import logging
        log = logging.getLogger("nb")
        # %%
        import torch
        # %%
        for epoch in range(5):
            loss = model(x).sum()
            loss.backward()
            optimizer.step()
            log.info("epoch %d loss %.4f", epoch, loss.item())
      `,
    },
    {
      // Found by the fuzzer: in loops that do not parse, the end of the body is a guess; a line
      // appended there landed outside the loop, was not seen, and fix-all appended it ten times.
      code: 'def t(:\n for h in range(e:\n  for in r:\n   :\n    s).backward()\n',
      highlights: ['for h in range(e:'],
    },
  ],
});
