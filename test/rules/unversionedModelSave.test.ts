import { unversionedModelSave } from '../../server/src/rules/unversionedModelSave';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pythonSource } from '../../server/src/engine/source';
import { projectFiles } from '../../server/src/workspace/project';
import { findingsOf, py, ruleTester } from '../harness/ruleTester';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures');
/** A project with a dvc.yaml (model.pt, checkpoints/, foreach exports) and a `dvc add`ed rf.joblib. */
const DVC_PROJECT = join(FIXTURES, 'dvc');
const DVC_INVALID = join(FIXTURES, 'dvc-invalid');

ruleTester(unversionedModelSave, {
  valid: [
    // An epoch or step variable in the file name versions each checkpoint.
    py`
      import torch

      step = 0
      for epoch in range(10):
          step += 1
          torch.save(model.state_dict(), f"checkpoints/model-epoch{epoch}.pt")
          torch.save(optimizer.state_dict(), f"checkpoints/optim-step{step}.pt")
    `,
    // The tracker's run id is part of the destination.
    py`
      import joblib
      import mlflow

      with mlflow.start_run() as run:
          joblib.dump(clf, f"models/{run.info.run_id}/model.joblib")
    `,
    // A program that logs the artifact anywhere is versioned by its tracker.
    py`
      import joblib
      import mlflow

      def train():
          joblib.dump(clf, "model.joblib")

      def publish():
          mlflow.log_artifact("model.joblib")
    `,
    // A flavor's log_model through a module alias registers the model.
    py`
      import mlflow.pytorch as mlp
      import torch

      torch.save(model, "model.pt")
      mlp.log_model(model, "model")
    `,
    // A W&B artifact, and a Hugging Face push to the hub.
    py`
      import torch
      import wandb

      torch.save(model.state_dict(), "model.pt")
      artifact = wandb.Artifact("churn-model", type="model")
      artifact.add_file("model.pt")
      wandb.log_artifact(artifact)
      encoder.save_pretrained("outputs/encoder")
      encoder.push_to_hub("org/churn-encoder")
    `,
    // Destinations given by the CLI, a config or a caller are not fixed paths.
    py`
      import os

      import joblib
      import torch

      joblib.dump(clf, args.output_path)
      torch.save(model.state_dict(), cfg["checkpoint_path"])

      def save(model, out_dir):
          torch.save(model.state_dict(), os.path.join(out_dir, "model.pt"))
    `,
    // A version already written into the path: v3, a semantic version, a date, a TF-Serving dir.
    py`
      import joblib
      import tensorflow as tf

      joblib.dump(clf, "models/churn-v3.joblib")
      joblib.dump(clf, "models/churn-1.4.0.joblib")
      joblib.dump(clf, "models/churn-20240105.joblib")
      tf.saved_model.save(model, "export/churn/7")
    `,
    // A constant named as a version is bumped on purpose.
    py`
      import os

      import joblib

      MODEL_VERSION = "2"
      joblib.dump(clf, f"models/churn-{MODEL_VERSION}.joblib")
      joblib.dump(clf, os.path.join("models", MODEL_VERSION, "pipeline.joblib"))
    `,
    // A timestamp or git sha computed at run time.
    py`
      import subprocess
      import time

      import torch

      stamp = time.strftime("%Y%m%d-%H%M%S")
      sha = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"]).decode().strip()
      torch.save(model.state_dict(), f"models/model-{stamp}.pt")
      torch.save(model.state_dict(), f"models/model-{sha}.pt")
    `,
    // Generic serializers of objects that are not models: results, feature lists, arrays, figures.
    py`
      import pickle

      import joblib
      import numpy as np

      with open("results.pkl", "wb") as f:
          pickle.dump(scores, f)
      joblib.dump(feature_names, "features.joblib")
      np.save("embeddings.npy", embeddings)
      fig.savefig("plots/loss.png")
      image.save("samples/epoch.png")
    `,
    // Model-named things that are not models, data saved with torch.save, and `.json`/`.md`/`.html`
    // files written by a generic `.save()`.
    py`
      import joblib
      import torch

      model_card.save("README.md")
      pipeline_report.save("report.html")
      model_config.save("model_config.json")
      joblib.dump(feature_names, "model_features.txt")
      torch.save(train_dataset, "train.pt")
      torch.save(class_weights, "w.pt")
      torch.save(embeddings, "emb.pt")
    `,
    // Dead code under `if False:` is not reported.
    py`
      import torch

      if False:
          torch.save(model.state_dict(), "model.pt")
    `,
    // Strings and comments only mention saves, with the savers imported.
    py`
      import joblib
      import torch

      HELP = 'save with torch.save(model.state_dict(), "model.pt")'
      # joblib.dump(clf, "model.joblib")
    `,
    // Tests are out of scope for this rule.
    {
      code: 'import torch\n\ntorch.save(model.state_dict(), "model.pt")\n',
      filename: 'tests/test_x.py',
    },
    // A project's own upload helper, configured as a tracking call, registers the artifact.
    {
      code: py`
        import torch

        torch.save(model.state_dict(), "model.pt")
        upload_to_registry("model.pt")
      `,
      config: { 'tracking-calls': ['upload_to_registry'] },
    },
    // Notebook: the model saved in one cell is logged in a later cell.
    {
      filename: 'nb.ipynb',
      code: 'import mlflow\nimport torch\n# %%\ntorch.save(model.state_dict(), "model.pt")\n# %%\nmlflow.log_artifact("model.pt")\n',
    },
    // `.format` and `%` with a loop variable, or a constant named as a version, are versioned.
    py`
      import os

      import joblib
      import torch

      MODEL_VERSION = "3"
      for epoch in range(10):
          torch.save(model.state_dict(), "checkpoints/model-{}.pt".format(epoch))
          torch.save(model.state_dict(), "checkpoints/model_%d.pt" % epoch)
          torch.save(model.state_dict(), os.path.join(CKPT_DIR, "epoch_{}".format(epoch), "model.pt"))
      joblib.dump(clf, "models/churn-{}.joblib".format(MODEL_VERSION))
      joblib.dump(clf, "models/churn-%s.joblib" % MODEL_VERSION)
    `,
    // Local names that say version: run id, timestamp, uuid, git sha, global step.
    py`
      import joblib
      import torch

      run_id = "baseline"
      timestamp = "latest"
      global_step = 0
      model_uuid = "a"
      git_sha = "HEAD"
      torch.save(model.state_dict(), f"models/{run_id}/model.pt")
      torch.save(model.state_dict(), "models/model-%s.pt" % timestamp)
      torch.save(model.state_dict(), "models/model-{}.pt".format(global_step))
      joblib.dump(clf, f"models/clf-{model_uuid}.joblib")
      joblib.dump(clf, "models/clf-{sha}.joblib".format(sha=git_sha))
    `,
    // Formatting with a value we cannot read (a format spec, an unknown name) is not a fixed path.
    py`
      import torch

      torch.save(model.state_dict(), "model-{:03d}.pt".format(3))
      torch.save(model.state_dict(), "model-%s.pt" % cfg.name)
    `,
    // Registration through other trackers: the Hugging Face hub, Neptune, ClearML, Comet.
    py`
      import torch
      from huggingface_hub import upload_folder

      model.save_pretrained("outputs/churn-bert")
      upload_folder(repo_id="org/churn-bert", folder_path="outputs/churn-bert")
    `,
    py`
      import torch

      torch.save(model.state_dict(), "model.pt")
      run["model/weights"].upload("model.pt")
    `,
    py`
      import joblib

      joblib.dump(clf, "model.pkl")
      task.upload_artifact("model", artifact_object="model.pkl")
    `,
    py`
      import joblib

      joblib.dump(clf, "model.pkl")
      experiment.log_model("churn", "model.pkl")
    `,
    // Notebook: the model is saved in one cell and pushed to the hub in a later one.
    {
      filename: 'nb.ipynb',
      code: 'from transformers import AutoModel\n# %%\nmodel.save_pretrained("outputs/churn")\n# %%\nmodel.push_to_hub("org/churn")\n',
    },
    // Notebook: a W&B artifact in a later cell.
    {
      filename: 'nb.ipynb',
      code: 'import joblib\nimport wandb\n# %%\njoblib.dump(clf, "model.joblib")\n# %%\nart = wandb.Artifact("churn", type="model")\nart.add_file("model.joblib")\nwandb.log_artifact(art)\n',
    },
    // DVC outputs (`outs` in dvc.yaml, relative to its folder, where DVC runs the stage command), a
    // file inside an output folder, a `foreach` output, and a `dvc add`ed file.
    {
      code: py`
        import joblib
        import torch

        torch.save(model.state_dict(), "models/model.pt")
        torch.save(model.state_dict(), "models/checkpoints/best.pt")
        torch.onnx.export(net, dummy, "exports/churn.onnx")
        joblib.dump(clf, "models/rf.joblib")
      `,
      project: projectFiles(join(DVC_PROJECT, 'train.py'), DVC_PROJECT, {}),
    },
    // A script in a subfolder run by DVC from the dvc.yaml folder.
    {
      filename: 'src/train.py',
      code: 'import torch\n\ntorch.save(model.state_dict(), "models/model.pt")\n',
      project: projectFiles(join(DVC_PROJECT, 'src', 'train.py'), DVC_PROJECT, {}),
    },
    // Methods named like object prototype properties are not save APIs (antlr4's Parser.py).
    py`
      result = parser.toString(ruleNames)
      ctx.constructor("model.pt")
      node.hasOwnProperty("model.pt")
    `,
  ],
  invalid: [
    // torch.save to a fixed file: the name gets a timestamp and `import time` joins the imports.
    {
      code: py`
        import torch

        torch.save(model.state_dict(), "checkpoints/model.pt")
      `,
      highlights: ['"checkpoints/model.pt"'],
      messages: ['Model saved to the fixed path "checkpoints/model.pt"'],
      output: py`
        import torch
        import time

        torch.save(model.state_dict(), f"checkpoints/model-{time.strftime('%Y%m%d-%H%M%S')}.pt")
      `,
    },
    // Through `import torch as th`, single-quoted: the inner quotes switch to double.
    {
      code: py`
        import torch as th

        th.save(net.state_dict(), 'net.pt')
      `,
      highlights: ["'net.pt'"],
      output: py`
        import torch as th
        import time

        th.save(net.state_dict(), f'net-{time.strftime("%Y%m%d-%H%M%S")}.pt')
      `,
    },
    // A module constant: the constant's literal is versioned; `import time` is not repeated.
    {
      code: py`
        import time

        import joblib

        MODEL_PATH = "models/churn_model.joblib"
        joblib.dump(clf, MODEL_PATH)
      `,
      highlights: ['MODEL_PATH'],
      messages: ['"models/churn_model.joblib"'],
      output: py`
        import time

        import joblib

        MODEL_PATH = f"models/churn_model-{time.strftime('%Y%m%d-%H%M%S')}.joblib"
        joblib.dump(clf, MODEL_PATH)
      `,
    },
    // pickle.dump into a file opened with `with`: the open() literal is versioned.
    {
      code: py`
        import pickle

        with open("model.pkl", "wb") as f:
            pickle.dump(model, f)
      `,
      highlights: ['f'],
      messages: ['"model.pkl"'],
      output: py`
        import pickle
        import time

        with open(f"model-{time.strftime('%Y%m%d-%H%M%S')}.pkl", "wb") as f:
            pickle.dump(model, f)
      `,
    },
    // joblib via `sklearn.externals`, into os.path.join of a directory constant: the file name,
    // not the shared directory constant, gets the timestamp.
    {
      code: py`
        import os

        from sklearn.externals import joblib

        MODEL_DIR = "models"
        joblib.dump(pipeline, os.path.join(MODEL_DIR, "pipeline.pkl"))
      `,
      highlights: ['os.path.join(MODEL_DIR, "pipeline.pkl")'],
      messages: ['"models/pipeline.pkl"'],
      output: py`
        import os

        from sklearn.externals import joblib
        import time

        MODEL_DIR = "models"
        joblib.dump(pipeline, os.path.join(MODEL_DIR, f"pipeline-{time.strftime('%Y%m%d-%H%M%S')}.pkl"))
      `,
    },
    // A `Path / "x"` join: the file name is versioned.
    {
      code: py`
        from pathlib import Path

        import torch

        OUT = Path("artifacts")
        torch.save(model.state_dict(), OUT / "model.pt")
      `,
      highlights: ['OUT / "model.pt"'],
      output: py`
        from pathlib import Path

        import torch
        import time

        OUT = Path("artifacts")
        torch.save(model.state_dict(), OUT / f"model-{time.strftime('%Y%m%d-%H%M%S')}.pt")
      `,
    },
    // Method saves with no imports at all: `import time` goes first; directories get a suffix.
    {
      code: py`
        model.save_pretrained("outputs/bert-churn")
        classifier.save("churn.keras")
        booster.save_model("xgb_model.json")
      `,
      highlights: ['"outputs/bert-churn"', '"churn.keras"', '"xgb_model.json"'],
      output: py`
        import time
        model.save_pretrained(f"outputs/bert-churn-{time.strftime('%Y%m%d-%H%M%S')}")
        classifier.save(f"churn-{time.strftime('%Y%m%d-%H%M%S')}.keras")
        booster.save_model(f"xgb_model-{time.strftime('%Y%m%d-%H%M%S')}.json")
      `,
    },
    // SavedModel export and ONNX export through module functions.
    {
      code: py`
        import tensorflow as tf
        import torch

        tf.saved_model.save(model, "export/churn")
        torch.onnx.export(net, dummy_input, "churn.onnx")
      `,
      highlights: ['"export/churn"', '"churn.onnx"'],
      output: py`
        import tensorflow as tf
        import torch
        import time

        tf.saved_model.save(model, f"export/churn-{time.strftime('%Y%m%d-%H%M%S')}")
        torch.onnx.export(net, dummy_input, f"churn-{time.strftime('%Y%m%d-%H%M%S')}.onnx")
      `,
    },
    // mlflow imported and no plain file-name literal: the fix logs the file after the save.
    {
      code: py`
        import mlflow
        import torch

        OUT = "artifacts"
        torch.save(model.state_dict(), f"{OUT}/model.pt")
      `,
      highlights: ['f"{OUT}/model.pt"'],
      messages: ['"artifacts/model.pt"'],
      output: py`
        import mlflow
        import torch

        OUT = "artifacts"
        torch.save(model.state_dict(), f"{OUT}/model.pt")
        mlflow.log_artifact(f"{OUT}/model.pt")
      `,
    },
    // A directory saved inside a function with mlflow imported: log_artifacts, at the save's indentation.
    {
      code: py`
        import mlflow

        OUT = "outputs"

        def finish(model):
            model.save_pretrained(f"{OUT}/bert-churn")
            return model
      `,
      highlights: ['f"{OUT}/bert-churn"'],
      output: py`
        import mlflow

        OUT = "outputs"

        def finish(model):
            model.save_pretrained(f"{OUT}/bert-churn")
            mlflow.log_artifacts(f"{OUT}/bert-churn")
            return model
      `,
    },
    // wandb imported: the artifact is logged with type="model".
    {
      code: py`
        import joblib
        import wandb

        RUN_DIR = "runs"
        joblib.dump(clf, f"{RUN_DIR}/model.joblib")
      `,
      highlights: ['f"{RUN_DIR}/model.joblib"'],
      output: py`
        import joblib
        import wandb

        RUN_DIR = "runs"
        joblib.dump(clf, f"{RUN_DIR}/model.joblib")
        wandb.log_artifact(f"{RUN_DIR}/model.joblib", type="model")
      `,
    },
    // `time` already names datetime.time: `import time` would shadow it, so no timestamp fix.
    {
      code: py`
        from datetime import time

        import torch

        cutoff = time(23, 0)
        torch.save(model.state_dict(), "model.pt")
      `,
      highlights: ['"model.pt"'],
    },
    // A save sharing its line with an `if` header has no line after it to log from: no fix.
    {
      code: py`
        import mlflow
        import torch

        OUT = "artifacts"
        if best: torch.save(model.state_dict(), f"{OUT}/best.pt")
      `,
      highlights: ['f"{OUT}/best.pt"'],
    },
    // Notebook: a path constant in one cell, the save in a later cell; `import time` goes to the
    // imports in the first cell.
    {
      filename: 'nb.ipynb',
      code: 'import torch\n# %%\nCKPT_PATH = "checkpoints/best.pt"\n# %%\ntorch.save(model.state_dict(), CKPT_PATH)\n',
      highlights: ['CKPT_PATH'],
      output:
        'import torch\nimport time\n# %%\nCKPT_PATH = f"checkpoints/best-{time.strftime(\'%Y%m%d-%H%M%S\')}.pt"\n# %%\ntorch.save(model.state_dict(), CKPT_PATH)\n',
    },
    // Model-ness by name tokens and values: an estimator built in place, a pipeline builder, a
    // checkpoint dict with an optimizer key, a copied state dict, an unknown object saved as a
    // model file, a camelCase receiver.
    {
      code: py`
        import copy
        import time

        import joblib
        import torch

        rf = RandomForestClassifier(n_estimators=100)
        joblib.dump(rf, "rf.joblib")
        joblib.dump(make_pipeline(scaler, rf), "churn.pkl")
        torch.save({"epoch": epoch, "optimizer": opt.state_dict()}, "last.pt")
        torch.save(copy.deepcopy(net.state_dict()), "best.pt")
        torch.save(obj, "model.pt")
        self.bestModel.save("saved")
      `,
      highlights: ['"rf.joblib"', '"churn.pkl"', '"last.pt"', '"best.pt"', '"model.pt"', '"saved"'],
      output: py`
        import copy
        import time

        import joblib
        import torch

        rf = RandomForestClassifier(n_estimators=100)
        joblib.dump(rf, f"rf-{time.strftime('%Y%m%d-%H%M%S')}.joblib")
        joblib.dump(make_pipeline(scaler, rf), f"churn-{time.strftime('%Y%m%d-%H%M%S')}.pkl")
        torch.save({"epoch": epoch, "optimizer": opt.state_dict()}, f"last-{time.strftime('%Y%m%d-%H%M%S')}.pt")
        torch.save(copy.deepcopy(net.state_dict()), f"best-{time.strftime('%Y%m%d-%H%M%S')}.pt")
        torch.save(obj, f"model-{time.strftime('%Y%m%d-%H%M%S')}.pt")
        self.bestModel.save(f"saved-{time.strftime('%Y%m%d-%H%M%S')}")
      `,
    },
    // A CRLF file: the inserted log line ends like the file's other lines.
    {
      code: 'import mlflow\r\nimport torch\r\n\r\nOUT = "artifacts"\r\ntorch.save(model.state_dict(), f"{OUT}/model.pt")\r\nprint("done")\r\n',
      highlights: ['f"{OUT}/model.pt"'],
      output:
        'import mlflow\r\nimport torch\r\n\r\nOUT = "artifacts"\r\ntorch.save(model.state_dict(), f"{OUT}/model.pt")\r\nmlflow.log_artifact(f"{OUT}/model.pt")\r\nprint("done")\r\n',
    },
    // `.format` with a constant: the fixed path is reported; the timestamp is another field.
    {
      code: py`
        import joblib

        NAME = "churn"
        joblib.dump(clf, "models/{}.joblib".format(NAME))
      `,
      highlights: ['"models/{}.joblib".format(NAME)'],
      messages: ['Model saved to the fixed path "models/churn.joblib"'],
      output: py`
        import joblib
        import time

        NAME = "churn"
        joblib.dump(clf, "models/{}-{}.joblib".format(NAME, time.strftime("%Y%m%d-%H%M%S")))
      `,
    },
    // `%` with a constant, single and tuple operands.
    {
      code: py`
        import time

        import torch

        ARCH = "resnet50"
        OUT = "checkpoints"
        torch.save(model.state_dict(), "model_%s.pt" % ARCH)
        torch.save(model.state_dict(), "%s/model_%s.pt" % (OUT, ARCH))
      `,
      highlights: ['"model_%s.pt" % ARCH', '"%s/model_%s.pt" % (OUT, ARCH)'],
      messages: ['"model_resnet50.pt"', '"checkpoints/model_resnet50.pt"'],
      output: py`
        import time

        import torch

        ARCH = "resnet50"
        OUT = "checkpoints"
        torch.save(model.state_dict(), "model_%s-%s.pt" % (ARCH, time.strftime("%Y%m%d-%H%M%S")))
        torch.save(model.state_dict(), "%s/model_%s-%s.pt" % (OUT, ARCH, time.strftime("%Y%m%d-%H%M%S")))
      `,
    },
    // Named and numbered fields, inside os.path.join.
    {
      code: py`
        import os
        import time

        import joblib

        joblib.dump(clf, os.path.join("models", "{name}.pkl".format(name="churn")))
        joblib.dump(clf, "model-{0}.pkl".format(3))
      `,
      highlights: [
        'os.path.join("models", "{name}.pkl".format(name="churn"))',
        '"model-{0}.pkl".format(3)',
      ],
      messages: ['"models/churn.pkl"', '"model-3.pkl"'],
      output: py`
        import os
        import time

        import joblib

        joblib.dump(clf, os.path.join("models", "{name}-{}.pkl".format(time.strftime("%Y%m%d-%H%M%S"), name="churn")))
        joblib.dump(clf, "model-{0}-{1}.pkl".format(3, time.strftime("%Y%m%d-%H%M%S")))
      `,
    },
    // More save APIs: TorchScript, safetensors, LightGBM's `filename`, Lightning checkpoints, an
    // MLflow flavor's save_model, Keras save_weights.
    {
      code: py`
        import mlflow.sklearn
        import torch
        from safetensors.torch import save_file

        torch.jit.save(scripted, "scripted.pt")
        save_file(model.state_dict(), "model.safetensors")
        booster.save_model(filename="lgbm.txt")
        trainer.save_checkpoint("last.ckpt")
        mlflow.sklearn.save_model(clf, "mlruns-export/churn")
        model.save_weights("weights.h5")
      `,
      highlights: [
        '"scripted.pt"',
        '"model.safetensors"',
        '"lgbm.txt"',
        '"last.ckpt"',
        '"mlruns-export/churn"',
        '"weights.h5"',
      ],
      output: py`
        import mlflow.sklearn
        import torch
        from safetensors.torch import save_file
        import time

        torch.jit.save(scripted, f"scripted-{time.strftime('%Y%m%d-%H%M%S')}.pt")
        save_file(model.state_dict(), f"model-{time.strftime('%Y%m%d-%H%M%S')}.safetensors")
        booster.save_model(filename=f"lgbm-{time.strftime('%Y%m%d-%H%M%S')}.txt")
        trainer.save_checkpoint(f"last-{time.strftime('%Y%m%d-%H%M%S')}.ckpt")
        mlflow.sklearn.save_model(clf, f"mlruns-export/churn-{time.strftime('%Y%m%d-%H%M%S')}")
        model.save_weights(f"weights-{time.strftime('%Y%m%d-%H%M%S')}.h5")
      `,
    },
    // Notebook: no registration in any cell; wandb imported, so the artifact is logged after the save.
    {
      filename: 'nb.ipynb',
      code: 'import joblib\nimport wandb\n# %%\nOUT = "runs"\n# %%\njoblib.dump(clf, f"{OUT}/model.joblib")\n',
      highlights: ['f"{OUT}/model.joblib"'],
      output:
        'import joblib\nimport wandb\n# %%\nOUT = "runs"\n# %%\njoblib.dump(clf, f"{OUT}/model.joblib")\nwandb.log_artifact(f"{OUT}/model.joblib", type="model")\n',
    },
    // A dvc.yaml in the workspace whose outputs do not include the destination.
    {
      code: 'import torch\n\ntorch.save(model.state_dict(), "models/other.pt")\n',
      project: projectFiles(join(DVC_PROJECT, 'train.py'), DVC_PROJECT, {}),
      highlights: ['"models/other.pt"'],
      output:
        'import torch\nimport time\n\ntorch.save(model.state_dict(), f"models/other-{time.strftime(\'%Y%m%d-%H%M%S\')}.pt")\n',
    },
    // A dvc.yaml that is not valid YAML declares no outputs.
    {
      code: 'import torch\n\ntorch.save(model.state_dict(), "models/model.pt")\n',
      project: projectFiles(join(DVC_INVALID, 'train.py'), DVC_INVALID, {}),
      highlights: ['"models/model.pt"'],
      output:
        'import torch\nimport time\n\ntorch.save(model.state_dict(), f"models/model-{time.strftime(\'%Y%m%d-%H%M%S\')}.pt")\n',
    },
  ],
});

describe('MLH401 with a dvc.yaml, from the script at its real path', () => {
  const script = join(DVC_PROJECT, 'src', 'train.py');
  const project = projectFiles(script, DVC_PROJECT, {});
  const check = (code: string) =>
    findingsOf(unversionedModelSave, pythonSource(script, code), undefined, project).findings;

  it('a destination relative to the script folder that is a DVC output is versioned', () => {
    assert.deepEqual(
      check('import torch\n\ntorch.save(model.state_dict(), "../models/model.pt")\n'),
      [],
    );
  });

  it('a destination outside every output is reported', () => {
    const findings = check('import torch\n\ntorch.save(model.state_dict(), "../models/last.pt")\n');
    assert.deepEqual(
      findings.map((f) => f.message.split(':')[0]),
      ['Model saved to the fixed path "../models/last.pt"'],
    );
  });
});
