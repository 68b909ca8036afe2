import { unseededTraining } from '../../server/src/rules/unseededTraining';
import { py, ruleTester } from '../harness/ruleTester';

ruleTester(unseededTraining, {
  valid: [
    // PyTorch seeded before the loop.
    py`
      import torch

      torch.manual_seed(0)
      for epoch in range(10):
          loss = criterion(model(x), y)
          loss.backward()
          optimizer.step()
    `,
    // Framework seeders that reset every generator: transformers, Lightning, accelerate, Keras.
    py`
      import numpy as np
      import torch
      from transformers import Trainer, set_seed

      set_seed(42)
      idx = np.random.permutation(len(data))
      Trainer(model=model, args=args, train_dataset=ds).train()
    `,
    py`
      import lightning as L
      import torch

      L.seed_everything(42, workers=True)
      L.Trainer(max_epochs=3).fit(model, datamodule=dm)
    `,
    py`
      from accelerate.utils import set_seed
      import torch

      set_seed(1234)
      accelerator.backward(loss)
    `,
    py`
      import keras

      keras.utils.set_random_seed(812)
      model.fit(x_train, y_train, epochs=5)
    `,
    // A project's own seeding helper.
    py`
      import torch

      from utils import set_seed

      set_seed(args.seed)
      trainer.fit(model)
    `,
    // scikit-learn training that draws from no global generator (seeded per call, MLH501's business).
    py`
      import numpy as np
      from sklearn.ensemble import RandomForestClassifier

      rng = np.random.RandomState(0)
      X = rng.randn(100, 4)
      RandomForestClassifier(random_state=0).fit(X, y)
    `,
    // Python's and NumPy's generators both seeded.
    py`
      import random

      import numpy as np

      random.seed(0)
      np.random.seed(0)
      random.shuffle(rows)
      X = np.random.randn(100, 2)
      clf.fit(X, y)
    `,
    // A program that draws random numbers but trains nothing.
    py`
      import numpy as np

      X = np.random.randn(100, 2)
      np.save("X.npy", X)
    `,
    // An importable module: its training runs when a program calls it, which seeds.
    py`
      import torch

      def train_one_epoch(model, loader, optimizer):
          for x, y in loader:
              loss = model(x, y)
              loss.backward()
              optimizer.step()
    `,
    // A Hugging Face Trainer seeds every generator from its arguments, also through a subclass.
    py`
      import numpy as np
      from transformers import Trainer, TrainingArguments

      idx = np.random.permutation(len(ds))
      trainer = Trainer(model=model, args=TrainingArguments("out", seed=7), train_dataset=ds)
      trainer.train()
    `,
    py`
      import torch
      from trl import SFTTrainer

      class DistillTrainer(SFTTrainer):
          pass

      DistillTrainer(model=model, train_dataset=ds).train()
    `,
    // Scheduler and environment steps are not training steps.
    py`
      import torch

      scheduler.step()
      observation, reward, done, info = env.step(action)
    `,
    // Training only mentioned in strings and comments, or under `if False:`.
    py`
      import torch

      USAGE = "call loss.backward() then optimizer.step()"
      # model.fit(X, y)
      if False:
          loss.backward()
    `,
    // Tests are out of scope.
    {
      code: 'import torch\n\nloss.backward()\noptimizer.step()\n',
      filename: 'tests/test_train.py',
    },
    // Notebook: seeding in the first cell counts for training in later cells.
    {
      filename: 'nb.ipynb',
      code: 'import numpy as np\nimport torch\ntorch.manual_seed(0)\nnp.random.seed(0)\n# %%\nidx = np.random.permutation(n)\n# %%\nloss.backward()\noptimizer.step()\n',
    },
  ],
  invalid: [
    // The name `torch` is taken by another binding: importing torch again would make both
    // ambiguous and the seeding unrecognisable (fix-all added it ten times), so there is no fix.
    {
      code: py`
        from torch import torch

        model = Net()
        for epoch in range(10):
            loss = criterion(model(x), y)
            loss.backward()
      `,
      highlights: ['loss.backward'],
    },
    // The same when `torch` is imported and then rebound (fuzz seed 7, iteration 478).
    {
      code: py`
        import torch
        from helpers import torch

        loss.backward()
      `,
      highlights: ['loss.backward'],
    },
    // PyTorch with NumPy imported: one finding, on the first training call; both are seeded.
    {
      code: py`
        import numpy as np
        import torch

        model = Net()
        for epoch in range(10):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
      `,
      highlights: ['loss.backward'],
      messages: [
        'Training without seeding PyTorch: two runs give different models and metrics; seed the random number generators once after the imports',
      ],
      severities: ['warning'],
      output: py`
        import numpy as np
        import torch

        SEED = 42
        np.random.seed(SEED)
        torch.manual_seed(SEED)

        model = Net()
        for epoch in range(10):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
      `,
    },
    // TensorFlow through an alias: tf.random.set_seed.
    {
      code: py`
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train, epochs=5)
      `,
      highlights: ['model.fit'],
      messages: ['Training without seeding TensorFlow'],
      output: py`
        import tensorflow as tf

        SEED = 42
        tf.random.set_seed(SEED)

        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train, epochs=5)
      `,
    },
    // Standalone Keras seeds itself.
    {
      code: py`
        import keras

        model.fit(x_train, y_train, epochs=5)
      `,
      highlights: ['model.fit'],
      output: py`
        import keras

        SEED = 42
        keras.utils.set_random_seed(SEED)

        model.fit(x_train, y_train, epochs=5)
      `,
    },
    // Only `from` imports: the module is imported for the seeding call.
    {
      code: py`
        from tensorflow.keras import layers, models

        model = models.Sequential([layers.Dense(1)])
        model.fit(x_train, y_train)
      `,
      highlights: ['model.fit'],
      output: py`
        from tensorflow.keras import layers, models
        import tensorflow

        SEED = 42
        tensorflow.random.set_seed(SEED)

        model = models.Sequential([layers.Dense(1)])
        model.fit(x_train, y_train)
      `,
    },
    // scikit-learn on data drawn from the global generators of `random` and NumPy.
    {
      code: py`
        import random

        import numpy as np
        from sklearn.svm import SVR

        X = np.sort(5 * np.random.rand(40, 1), axis=0)
        random.shuffle(rows)
        SVR().fit(X, y)
      `,
      highlights: ['SVR().fit'],
      messages: ['Training without seeding random and NumPy'],
      output: py`
        import random

        import numpy as np
        from sklearn.svm import SVR

        SEED = 42
        random.seed(SEED)
        np.random.seed(SEED)

        X = np.sort(5 * np.random.rand(40, 1), axis=0)
        random.shuffle(rows)
        SVR().fit(X, y)
      `,
    },
    // PyTorch seeded, NumPy's global generator not: only NumPy is seeded by the fix.
    {
      code: py`
        import numpy as np
        import torch

        torch.manual_seed(0)
        np.random.shuffle(indices)
        loss.backward()
      `,
      highlights: ['loss.backward'],
      messages: ['Training without seeding NumPy'],
      output: py`
        import numpy as np
        import torch

        SEED = 42
        np.random.seed(SEED)

        torch.manual_seed(0)
        np.random.shuffle(indices)
        loss.backward()
      `,
    },
    // The project's seed constant is reused; bound after the imports, the seeding follows it.
    {
      code: py`
        import torch

        BATCH_SIZE = 32
        SEED = 7

        optimizer.step()
      `,
      highlights: ['optimizer.step'],
      output: py`
        import torch

        BATCH_SIZE = 32
        SEED = 7
        torch.manual_seed(SEED)

        optimizer.step()
      `,
    },
    // A seed constant imported from the project's config.
    {
      code: py`
        import torch

        from config import RANDOM_SEED

        trainer.train()
      `,
      highlights: ['trainer.train'],
      output: py`
        import torch

        from config import RANDOM_SEED

        torch.manual_seed(RANDOM_SEED)

        trainer.train()
      `,
    },
    // The configured seed value; `SEED` already names something else.
    {
      code: py`
        from torch import nn

        SEED = "experiment-a"
        loss.backward()
      `,
      config: { 'seed-value': 1234 },
      highlights: ['loss.backward'],
      output: py`
        from torch import nn
        import torch

        RANDOM_SEED = 1234
        torch.manual_seed(RANDOM_SEED)

        SEED = "experiment-a"
        loss.backward()
      `,
    },
    // A transformers training loop with torch imported only through `from`: `import torch` is added.
    {
      code: py`
        from torch.optim import AdamW
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        optimizer = AdamW(model.parameters(), lr=5e-5)
        for batch in loader:
            model(**batch).loss.backward()
            optimizer.step()
      `,
      highlights: ['model(**batch).loss.backward'],
      output: py`
        from torch.optim import AdamW
        from transformers import AutoModelForSequenceClassification
        import torch

        SEED = 42
        torch.manual_seed(SEED)

        model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        optimizer = AdamW(model.parameters(), lr=5e-5)
        for batch in loader:
            model(**batch).loss.backward()
            optimizer.step()
      `,
    },
    // Training inside functions of a script with a `__main__` block runs.
    {
      code: py`
        import torch

        def main():
            for batch in loader:
                loss = step(batch)
                loss.backward()

        if __name__ == "__main__":
            main()
      `,
      highlights: ['loss.backward'],
      output: py`
        import torch

        SEED = 42
        torch.manual_seed(SEED)

        def main():
            for batch in loader:
                loss = step(batch)
                loss.backward()

        if __name__ == "__main__":
            main()
      `,
    },
    // Notebook: a hint under the exploration profile; the seeding lands in the first code cell.
    {
      filename: 'nb.ipynb',
      code: 'import numpy as np\nimport torch\n# %%\nmodel = Net()\n# %%\nloss.backward()\noptimizer.step()\n',
      highlights: ['loss.backward'],
      severities: ['hint'],
      output:
        'import numpy as np\nimport torch\n\nSEED = 42\nnp.random.seed(SEED)\ntorch.manual_seed(SEED)\n# %%\nmodel = Net()\n# %%\nloss.backward()\noptimizer.step()\n',
    },
    // Notebook: torch imported in a later cell; the first cell's seeding imports it itself.
    {
      filename: 'nb.ipynb',
      config: { profile: 'production' },
      code: 'import numpy as np\n# %%\nimport torch\n# %%\nloss.backward()\n',
      highlights: ['loss.backward'],
      severities: ['warning'],
      output:
        'import numpy as np\nimport torch\n\nSEED = 42\nnp.random.seed(SEED)\ntorch.manual_seed(SEED)\n# %%\nimport torch\n# %%\nloss.backward()\n',
    },
  ],
});
