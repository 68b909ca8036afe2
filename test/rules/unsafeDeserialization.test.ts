import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { originalSlice, pythonSource } from '../../server/src/engine/source';
import { unsafeDeserialization } from '../../server/src/rules/unsafeDeserialization';
import { projectFiles } from '../../server/src/workspace/project';
import { findingsOf, fixToFixpoint, py, ruleTester } from '../harness/ruleTester';
import { requestedReports } from './requestedReports';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'dependencies');

ruleTester(unsafeDeserialization, {
  valid: [
    // TorchScript archives and C++ extension builds are not pickle loads.
    py`
      import torch
      from torch.utils.cpp_extension import load

      scripted = torch.jit.load("model.ts")
      ops = load(name="fused_ops", sources=["fused_ops.cpp"])
    `,
    // weights_only=True, literally and through a module constant.
    py`
      import torch

      WEIGHTS_ONLY = True
      state = torch.load("checkpoint.pt", map_location="cpu", weights_only=True)
      ema = torch.load("ema.pt", weights_only=WEIGHTS_ONLY)
    `,
    // weights_only=True passed through a **kwargs dict.
    py`
      import torch

      load_kwargs = {"map_location": "cpu", "weights_only": True}
      state = torch.load("checkpoint.pt", **load_kwargs)
    `,
    // A weights_only value that does not resolve to False is not reported.
    py`
      import torch

      def restore(path, trusted=False):
          return torch.load(path, weights_only=not trusted)
    `,
    // Safe YAML: safe_load, and yaml.load with a safe Loader by keyword, by position or imported.
    py`
      import yaml
      from yaml import SafeLoader

      with open("config.yaml") as f:
          a = yaml.safe_load(f)
          b = yaml.load(f, Loader=yaml.SafeLoader)
          c = yaml.load(f, yaml.CSafeLoader)
          d = yaml.load(f, Loader=SafeLoader)
    `,
    // The C-accelerated safe loader with a pure-Python safe fallback.
    py`
      import yaml

      try:
          from yaml import CSafeLoader as Loader
      except ImportError:
          from yaml import SafeLoader as Loader

      with open("config.yaml") as f:
          config = yaml.load(f, Loader=Loader)
    `,
    // A loader we cannot resolve, such as a SafeLoader subclass, is not reported.
    py`
      import yaml

      class ConfigLoader(yaml.SafeLoader):
          pass

      with open("config.yaml") as f:
          config = yaml.load(f, Loader=ConfigLoader)
    `,
    // np.load refuses pickles by default; Keras loads in safe mode by default; remote code declined.
    py`
      import numpy as np
      from tensorflow import keras
      from transformers import AutoModel

      features = np.load("features.npy")
      labels = np.load("labels.npy", allow_pickle=False)
      classifier = keras.models.load_model("churn.keras")
      encoder = AutoModel.from_pretrained("org/encoder", trust_remote_code=False)
    `,
    // Dead code under `if False:` is not reported.
    py`
      import pickle

      if False:
          with open("legacy.pkl", "rb") as f:
              model = pickle.load(f)
    `,
    // Strings, comments and docstrings only mention loaders, with the loaders imported.
    py`
      import pickle

      import torch
      import yaml

      HELP = "never call pickle.load(f) or torch.load(path) on files you did not write"

      def restore(path):
          """Loads with yaml.load(stream) in older versions."""
          # state = torch.load(path)
          return path
    `,
    // Names that only look like loaders: a local class, a project function, a method.
    py`
      from myproject.io import load

      class torch:
          @staticmethod
          def load(path):
              return path

      state = torch.load("checkpoint.pt")
      table = load("features.pkl")
      cached = store.load("features.pkl")
    `,
    // Writing and safe formats: pickle.dump, json.load, safetensors.
    py`
      import json
      import pickle

      from safetensors.torch import load_file

      with open("metrics.pkl", "wb") as f:
          pickle.dump(metrics, f)
      with open("config.json") as f:
          config = json.load(f)
      state = load_file("model.safetensors")
    `,
    // A round trip through bytes this process just pickled is a deep copy, not untrusted input.
    {
      code: py`
        import pickle

        def test_model_is_picklable(model):
            clone = pickle.loads(pickle.dumps(model))
            assert clone.get_params() == model.get_params()
      `,
      filename: 'tests/test_model.py',
    },
    // Round trips through this program's own bytes: a name bound to pickle.dumps on every path,
    // an ndarray's .dumps(), and pickles written as bytes literals in a test.
    {
      code: py`
        import pickle

        import numpy as np

        def check_iter_pickle(it, proto):
            d = pickle.dumps(it, proto)
            it = pickle.loads(d)
            d = pickle.dumps(it, proto)
            return pickle.loads(d)

        def test_dtype_pickle():
            arr = np.zeros(3)
            assert (pickle.loads(arr.dumps()) == arr).all()
            pkl = b"cnumpy\\ndtype\\np0\\n" \\
                b"(S'M8'\\np1\\n"
            assert pickle.loads(pkl) is not None
            testcases = [b"\\x80\\x04K\\x01.", b"\\x80\\x03K\\x02."]
            for t in testcases:
                assert pickle.loads(t) in (1, 2)
      `,
      filename: 'tests/test_pickling.py',
    },
    // A weights_only value from a parameter cannot be resolved, so it is not reported.
    py`
      import torch

      def restore(path, weights_only):
          return torch.load(path, weights_only=weights_only)
    `,
    // weights_only=True keeps a load silent whatever the path's provenance.
    py`
      import sys

      import torch

      state = torch.load(sys.argv[1], weights_only=True)
    `,
  ],
  invalid: [
    // torch.load through `import torch as th`: weights_only=True is added after the last argument.
    {
      code: py`
        import torch as th

        state = th.load("checkpoint.pt", map_location="cpu")
      `,
      highlights: ['th.load'],
      messages: ['`torch.load` without `weights_only=True`'],
      output: py`
        import torch as th

        state = th.load("checkpoint.pt", map_location="cpu", weights_only=True)
      `,
    },
    // torch.load imported under another name; the load path is a followed constant.
    {
      code: py`
        from torch import load as L

        CHECKPOINT = "runs/best.pt"
        state = L(CHECKPOINT)
      `,
      highlights: ['L'],
      output: py`
        from torch import load as L

        CHECKPOINT = "runs/best.pt"
        state = L(CHECKPOINT, weights_only=True)
      `,
    },
    // weights_only=False through a constant, and through a **kwargs dict: the dict entry is fixed,
    // since a second weights_only keyword would be a TypeError.
    {
      code: py`
        import torch

        TRUSTED = False
        load_kwargs = {"map_location": "cpu", "weights_only": False}
        state = torch.load("checkpoint.pt", weights_only=TRUSTED)
        ema = torch.load("ema.pt", **load_kwargs)
      `,
      highlights: ['torch.load', 'torch.load'],
      messages: ['weights_only=False', 'weights_only=False'],
      output: py`
        import torch

        TRUSTED = False
        load_kwargs = {"map_location": "cpu", "weights_only": True}
        state = torch.load("checkpoint.pt", weights_only=True)
        ema = torch.load("ema.pt", **load_kwargs)
      `,
    },
    // A **kwargs dict without weights_only, and a call laid out one argument per line.
    {
      code: py`
        import torch

        load_kwargs = {"map_location": "cpu"}
        state = torch.load("checkpoint.pt", **load_kwargs)
        ema = torch.load(
            "ema.pt",
            map_location="cpu",
        )
      `,
      highlights: ['torch.load', 'torch.load'],
      output: py`
        import torch

        load_kwargs = {"map_location": "cpu"}
        state = torch.load("checkpoint.pt", **load_kwargs, weights_only=True)
        ema = torch.load(
            "ema.pt",
            map_location="cpu",
            weights_only=True,
        )
      `,
    },
    // pickle and its relatives, through aliases and `sklearn.externals.joblib`: no automatic fix.
    {
      code: py`
        import cPickle
        import dill
        import pickle as pkl
        from sklearn.externals import joblib

        model = joblib.load("model.joblib")
        encoder = cPickle.load(open("encoder.pkl", "rb"))
        featurizer = dill.loads(blob)
        scaler = pkl.Unpickler(open("scaler.pkl", "rb")).load()
      `,
      highlights: ['joblib.load', 'cPickle.load', 'dill.loads', 'pkl.Unpickler'],
      messages: [
        'joblib (pickle) deserialization',
        'pickle deserialization',
        'dill deserialization',
      ],
    },
    // pandas.read_pickle through `pd`, shelve and marshal.
    {
      code: py`
        import marshal
        import shelve

        import pandas as pd

        frame = pd.read_pickle("features.pkl")
        cache = shelve.open("feature_cache")
        code = marshal.loads(payload)
      `,
      highlights: ['pd.read_pickle', 'shelve.open', 'marshal.loads'],
    },
    // yaml.load without a Loader and yaml.full_load become yaml.safe_load.
    {
      code: py`
        import yaml

        with open("config.yaml") as f:
            config = yaml.load(f)
            params = yaml.full_load(f)
      `,
      highlights: ['yaml.load', 'yaml.full_load'],
      output: py`
        import yaml

        with open("config.yaml") as f:
            config = yaml.safe_load(f)
            params = yaml.safe_load(f)
      `,
    },
    // `from yaml import load` with the unsafe Loader: the fix imports yaml to call safe_load.
    {
      code: py`
        from yaml import Loader, load

        with open("config.yaml") as f:
            config = load(f, Loader=Loader)
      `,
      highlights: ['load'],
      output: py`
        from yaml import Loader, load
        import yaml

        with open("config.yaml") as f:
            config = yaml.safe_load(f)
      `,
    },
    // The C loader with a pure-Python fallback is unsafe on both branches; load_all with FullLoader.
    {
      code: py`
        import yaml

        try:
            from yaml import CLoader as Loader
        except ImportError:
            from yaml import Loader

        config = yaml.load(stream, Loader=Loader)
        documents = list(yaml.load_all(stream, Loader=yaml.FullLoader))
      `,
      highlights: ['yaml.load', 'yaml.load_all'],
      output: py`
        import yaml

        try:
            from yaml import CLoader as Loader
        except ImportError:
            from yaml import Loader

        config = yaml.safe_load(stream)
        documents = list(yaml.safe_load_all(stream))
      `,
    },
    // np.load with allow_pickle=True, literally and through a **kwargs dict.
    {
      code: py`
        import numpy as np

        opts = {"allow_pickle": True}
        features = np.load("features.npy", allow_pickle=True)
        labels = np.load("labels.npy", **opts)
      `,
      highlights: ['allow_pickle=True', 'np.load'],
      output: py`
        import numpy as np

        opts = {"allow_pickle": False}
        features = np.load("features.npy", allow_pickle=False)
        labels = np.load("labels.npy", **opts)
      `,
    },
    // trust_remote_code=True, literally and through a **kwargs dict.
    {
      code: py`
        from transformers import AutoModel, AutoTokenizer

        hub_kwargs = {"trust_remote_code": True}
        tokenizer = AutoTokenizer.from_pretrained("org/churn-llm", trust_remote_code=True)
        model = AutoModel.from_pretrained("org/churn-llm", **hub_kwargs)
      `,
      highlights: ['trust_remote_code=True', 'AutoModel.from_pretrained'],
      messages: ['`trust_remote_code=True` runs Python code'],
      output: py`
        from transformers import AutoModel, AutoTokenizer

        hub_kwargs = {"trust_remote_code": False}
        tokenizer = AutoTokenizer.from_pretrained("org/churn-llm", trust_remote_code=False)
        model = AutoModel.from_pretrained("org/churn-llm", **hub_kwargs)
      `,
    },
    // Keras through tf.keras with safe_mode=False, and a pickled distributed collective (no fix).
    {
      code: py`
        import tensorflow as tf
        import torch.distributed as dist

        model = tf.keras.models.load_model("churn.keras", safe_mode=False)
        dist.broadcast_object_list(objects, src=0)
      `,
      highlights: ['safe_mode=False', 'dist.broadcast_object_list'],
      output: py`
        import tensorflow as tf
        import torch.distributed as dist

        model = tf.keras.models.load_model("churn.keras", safe_mode=True)
        dist.broadcast_object_list(objects, src=0)
      `,
    },
    // Tests keep this security rule at its full severity.
    {
      code: py`
        import pickle

        def test_loads_fixture():
            with open("fixtures/model.pkl", "rb") as f:
                model = pickle.load(f)
      `,
      filename: 'tests/test_x.py',
      highlights: ['pickle.load'],
      severities: ['warning'],
    },
    // Notebook: weights_only=False bound in one cell reaches a load in a later cell.
    {
      filename: 'nb.ipynb',
      code: 'import torch\n# %%\ntrusted = False\n# %%\nstate = torch.load("best.pt", weights_only=trusted)\n',
      highlights: ['torch.load'],
      messages: ['weights_only=False'],
      output:
        'import torch\n# %%\ntrusted = False\n# %%\nstate = torch.load("best.pt", weights_only=True)\n',
    },
    // A CRLF file: a keyword on a line of its own ends in CRLF like the others.
    {
      code: 'import torch\r\n\r\nema = torch.load(\r\n    "ema.pt",\r\n    map_location="cpu",\r\n)\r\n',
      highlights: ['torch.load'],
      output:
        'import torch\r\n\r\nema = torch.load(\r\n    "ema.pt",\r\n    map_location="cpu",\r\n    weights_only=True,\r\n)\r\n',
    },
    // Provenance: argparse, sys.argv through `with open(...) as f`, and the environment.
    {
      code: py`
        import argparse
        import os
        import pickle
        import sys

        import joblib
        import torch

        parser = argparse.ArgumentParser()
        parser.add_argument("--checkpoint")
        args = parser.parse_args()

        state = torch.load(args.checkpoint, map_location="cpu")
        with open(sys.argv[1], "rb") as f:
            encoder = pickle.load(f)
        model_dir = os.environ.get("MODEL_DIR", "models")
        model = joblib.load(os.path.join(model_dir, "churn.joblib"))
      `,
      highlights: ['torch.load', 'pickle.load', 'joblib.load'],
      messages: [
        '; the path comes from a command-line argument',
        '; the path comes from a command-line argument',
        '; the path comes from an environment variable',
      ],
      output: py`
        import argparse
        import os
        import pickle
        import sys

        import joblib
        import torch

        parser = argparse.ArgumentParser()
        parser.add_argument("--checkpoint")
        args = parser.parse_args()

        state = torch.load(args.checkpoint, map_location="cpu", weights_only=True)
        with open(sys.argv[1], "rb") as f:
            encoder = pickle.load(f)
        model_dir = os.environ.get("MODEL_DIR", "models")
        model = joblib.load(os.path.join(model_dir, "churn.joblib"))
      `,
    },
    // Provenance through a main(args) call and a click option.
    {
      code: py`
        import argparse

        import click
        import torch

        def main(opts):
            return torch.load(opts.weights)

        @click.command()
        @click.option("--model-path")
        def serve(model_path):
            return torch.load(model_path, weights_only=False)

        if __name__ == "__main__":
            main(argparse.ArgumentParser().parse_args())
      `,
      highlights: ['torch.load', 'torch.load'],
      messages: [
        '; the path comes from a command-line argument',
        /weights_only=False.*; the path comes from a command-line argument$/,
      ],
      output: py`
        import argparse

        import click
        import torch

        def main(opts):
            return torch.load(opts.weights, weights_only=True)

        @click.command()
        @click.option("--model-path")
        def serve(model_path):
            return torch.load(model_path, weights_only=True)

        if __name__ == "__main__":
            main(argparse.ArgumentParser().parse_args())
      `,
    },
    // Downloads: requests content, a Hub download and a URL read by pandas.
    {
      code: py`
        import io
        import pickle

        import joblib
        import pandas as pd
        import requests
        from huggingface_hub import hf_hub_download

        response = requests.get("https://models.example.com/churn.pkl", timeout=30)
        model = pickle.load(io.BytesIO(response.content))
        path = hf_hub_download(repo_id="org/churn", filename="model.joblib", revision="0" * 40)
        pipeline = joblib.load(path)
        features = pd.read_pickle("https://data.example.com/features.pkl")
      `,
      highlights: ['pickle.load', 'joblib.load', 'pd.read_pickle'],
      messages: [
        '; the data comes from a URL download',
        '; the path comes from a Hugging Face Hub download',
        '; the path comes from a URL',
      ],
    },
    // Request data in Flask and FastAPI handlers; the remote-code model name from a request.
    {
      code: py`
        import pickle

        import joblib
        import yaml
        from fastapi import FastAPI, UploadFile
        from flask import Flask, request
        from transformers import AutoModel

        app = Flask(__name__)
        api = FastAPI()

        @app.post("/reload")
        def reload_model():
            payload = request.get_json()
            model = joblib.load(payload["model_path"])
            config = yaml.load(request.data, Loader=yaml.Loader)
            return {"ok": True}

        @api.post("/score")
        async def score(upload: UploadFile):
            model = pickle.loads(await upload.read())
            return {"score": float(model.predict([[0.0]])[0])}

        @api.get("/embed")
        def embed(model_name: str):
            return AutoModel.from_pretrained(model_name, trust_remote_code=True)
      `,
      highlights: ['joblib.load', 'yaml.load', 'pickle.loads', 'trust_remote_code=True'],
      messages: [
        '; the path comes from an HTTP request',
        '; the data comes from an HTTP request',
        '; the data comes from a file uploaded in an HTTP request',
        '; the model name comes from an HTTP request',
      ],
      output: py`
        import pickle

        import joblib
        import yaml
        from fastapi import FastAPI, UploadFile
        from flask import Flask, request
        from transformers import AutoModel

        app = Flask(__name__)
        api = FastAPI()

        @app.post("/reload")
        def reload_model():
            payload = request.get_json()
            model = joblib.load(payload["model_path"])
            config = yaml.safe_load(request.data)
            return {"ok": True}

        @api.post("/score")
        async def score(upload: UploadFile):
            model = pickle.loads(await upload.read())
            return {"score": float(model.predict([[0.0]])[0])}

        @api.get("/embed")
        def embed(model_name: str):
            return AutoModel.from_pretrained(model_name, trust_remote_code=False)
      `,
    },
    // A name bound twice has no single value to follow: no provenance is claimed.
    {
      code: py`
        import sys

        import joblib

        path = sys.argv[1]
        if not path.endswith(".joblib"):
            path = "models/default.joblib"
        model = joblib.load(path)
      `,
      highlights: ['joblib.load'],
      messages: [/^joblib \(pickle\) deserialization[^;]*$/],
    },
    // More loaders of the spec list: dill sessions, jsonpickle.loads, cloudpickle, shelve classes.
    {
      code: py`
        import shelve

        import cloudpickle
        import dill
        import jsonpickle

        dill.load_session("session.pkl")
        state = jsonpickle.loads(blob)
        fn = cloudpickle.load(open("fn.pkl", "rb"))
        db = shelve.DbfilenameShelf("cache")
      `,
      highlights: [
        'dill.load_session',
        'jsonpickle.loads',
        'cloudpickle.load',
        'shelve.DbfilenameShelf',
      ],
    },
  ],
});

/** Lints `code` as `src/train.py` of a fixture project whose manifests pin torch. */
function lintInFixture(name: string, code: string) {
  const folder = join(FIXTURES, name);
  const path = join(folder, 'src', 'train.py');
  const file = pythonSource(path, code);
  const project = projectFiles(path, folder, {});
  const { findings, file: linted } = findingsOf(unsafeDeserialization, file, {}, project);
  const fixed = fixToFixpoint(unsafeDeserialization, file, {}, project);
  return {
    highlights: findings.map((f) => originalSlice(linted, f.start, f.end)),
    severities: findings.map((f) => f.severity),
    messages: findings.map((f) => f.message),
    output: fixed.text,
  };
}

const LOAD = py`
  import torch

  state = torch.load("checkpoint.pt", map_location="cpu")
  ema = torch.load("ema.pt", weights_only=False)
`;
const LOAD_FIXED = py`
  import torch

  state = torch.load("checkpoint.pt", map_location="cpu", weights_only=True)
  ema = torch.load("ema.pt", weights_only=True)
`;

describe('MLH301 severity follows the torch pin of the project', () => {
  before(() => ensureEngine());

  const pinned: [string, string, string][] = [
    ['requirements.txt including base/torch.txt', 'requirements', '../base/torch.txt'],
    ['pyproject.toml (PEP 621)', 'pep621', '../pyproject.toml'],
    ['pyproject.toml (Poetry)', 'poetry', '../pyproject.toml'],
    ['setup.cfg', 'setup-cfg', '../setup.cfg'],
    ['environment.yml', 'conda', '../environment.yml'],
  ];
  for (const [label, folder, manifest] of pinned) {
    it(`${label}: a missing weights_only is information; weights_only=False stays a warning`, () => {
      const result = lintInFixture(folder, LOAD);
      assert.deepEqual(result.highlights, ['torch.load', 'torch.load']);
      assert.deepEqual(result.severities, ['information', 'warning']);
      assert.match(result.messages[0], /torch >= 2\.6 defaults to weights_only=True/);
      assert.ok(result.messages[0].includes(`pinned in ${manifest}`), result.messages[0]);
      assert.match(result.messages[1], /weights_only=False/);
      assert.equal(result.output, LOAD_FIXED);
    });
  }

  it('names the requirement that holds the pin', () => {
    const { messages } = lintInFixture('pep621', LOAD);
    assert.ok(messages[0].includes('(`torch>=2.6,<3`)'), messages[0]);
  });

  it('an older pin, or an unversioned torch in a dev file, keeps the warning', () => {
    for (const folder of ['old-pin', 'dev-unpinned']) {
      const result = lintInFixture(folder, LOAD);
      assert.deepEqual(result.severities, ['warning', 'warning'], folder);
      assert.match(result.messages[0], /the default before torch 2\.6/);
    }
  });

  it('a pinned load whose path comes from the command line stays information', () => {
    const result = lintInFixture(
      'requirements',
      py`
        import sys

        import torch

        state = torch.load(sys.argv[1])
      `,
    );
    assert.deepEqual(result.severities, ['information']);
    assert.doesNotMatch(result.messages[0], /command-line/);
  });
});

describe('MLH301 asks for an error when the input comes from outside', () => {
  before(() => ensureEngine());

  it('requests severity error with the provenance in the message, and none otherwise', () => {
    const reports = requestedReports(
      unsafeDeserialization,
      py`
        import os
        import pickle
        import sys

        import joblib
        import torch

        local = joblib.load("models/churn.joblib")
        remote = joblib.load(os.environ["MODEL_PATH"])
        with open(sys.argv[1], "rb") as f:
            encoder = pickle.load(f)
        state = torch.load("checkpoint.pt")
      `,
    );
    assert.deepEqual(
      reports.map((r) => [r.text, r.severity]),
      [
        ['joblib.load', undefined],
        ['joblib.load', 'error'],
        ['pickle.load', 'error'],
        ['torch.load', undefined],
      ],
    );
    assert.match(reports[1].message, /; the path comes from an environment variable$/);
  });
});
