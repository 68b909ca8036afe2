import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { originalSlice } from '../../server/src/engine/source';
import { applyToSource } from '../../server/src/fixes/fixAll';
import { countSyntaxErrors } from '../../server/src/parsing/runtime';
import {
  REVISION_PLACEHOLDER,
  unpinnedPretrainedModel,
} from '../../server/src/rules/unpinnedPretrainedModel';
import { projectFiles, type ProjectFiles } from '../../server/src/workspace/project';
import { findingsOf, fixToFixpoint, py, ruleTester, sourceFor } from '../harness/ruleTester';

// A Hugging Face cache built the way huggingface_hub lays it out: refs/<ref> holds the commit sha.
const ORG_MAIN = '86b5e0934494bd15c9632b12f734a8a67f723594';
const ORG_TAG = '1f2e3d4c5b6a798877665544332211ffeeddccbb';
const BERT_MAIN = '0a6aa9128b6194f4f3c4db429b6cb4891cdb421b';
const IMDB_MAIN = 'e6281661ce1c48d982bc483cf8a173c1bbeb5d31';
const MINILM_MAIN = 'c9745ed1d9f207416be6d2e6f8de32d1f16199bf';
const TIMM_MAIN = '7c2d3b4f5a69788796a5b4c3d2e1f0a9b8c7d6e5';
const CUSTOM_MAIN = 'ffffffffffffffffffffffffffffffff00000001';
const OVERRIDE_MAIN = 'dddddddddddddddddddddddddddddddd00000002';
const HOME_MAIN = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee00000003';

const root = mkdtempSync(join(tmpdir(), 'mlh402-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cache(hub: string, folder: string, ref: string, sha: string): void {
  const repo = join(hub, folder);
  mkdirSync(join(repo, 'refs', ...ref.split('/').slice(0, -1)), { recursive: true });
  mkdirSync(join(repo, 'snapshots', sha), { recursive: true });
  writeFileSync(join(repo, 'refs', ref), sha);
}

const hfHome = join(root, 'hf');
const hub = join(hfHome, 'hub');
cache(hub, 'models--org--name', 'main', ORG_MAIN);
cache(hub, 'models--org--name', 'v1.0', ORG_TAG);
cache(hub, 'models--bert-base-uncased', 'main', BERT_MAIN);
cache(hub, 'models--tiny-churn-bert', 'main', BERT_MAIN);
cache(hub, 'datasets--stanfordnlp--imdb', 'main', IMDB_MAIN);
cache(hub, 'models--sentence-transformers--all-MiniLM-L6-v2', 'main', MINILM_MAIN);
cache(hub, 'models--timm--resnet50.a1_in1k', 'main', TIMM_MAIN);
const customCache = join(root, 'custom-cache');
cache(customCache, 'models--org--name', 'main', CUSTOM_MAIN);
const overrideCache = join(root, 'override');
cache(overrideCache, 'models--org--name', 'main', OVERRIDE_MAIN);
const home = join(root, 'home');
cache(join(home, '.cache', 'huggingface', 'hub'), 'models--org--name', 'main', HOME_MAIN);
// A project folder whose name looks like a Hub id: loading it reads the folder.
const projectDir = join(root, 'project');
mkdirSync(join(projectDir, 'acme', 'churn-bert'), { recursive: true });

const withCache = projectFiles('/project/train.py', '/project', { HF_HOME: hfHome });
const notebookWithCache = projectFiles('/project/nb.ipynb', '/project', { HF_HOME: hfHome });

ruleTester(unpinnedPretrainedModel, {
  valid: [
    // A full 40-hex commit sha pins the download, also through a constant or a keyword dict.
    py`
      from transformers import AutoModel, AutoTokenizer

      REVISION = "86b5e0934494bd15c9632b12f734a8a67f723594"
      HUB = {"revision": REVISION, "cache_dir": None}
      tokenizer = AutoTokenizer.from_pretrained("org/name", revision=REVISION)
      model = AutoModel.from_pretrained("org/name", **HUB)
      config = AutoModel.from_pretrained("org/name", **dict(revision=REVISION))
    `,
    // Revisions and ids read from configuration are pinned where they are configured.
    py`
      import argparse
      import os

      from transformers import AutoModel

      args = argparse.ArgumentParser().parse_args()
      a = AutoModel.from_pretrained(args.model_name_or_path)
      b = AutoModel.from_pretrained("org/name", revision=args.revision)
      c = AutoModel.from_pretrained("org/name", revision=os.environ.get("MODEL_REVISION", "main"))

      def load(name, revision=None, **hub_kwargs):
          first = AutoModel.from_pretrained("org/name", revision=revision)
          second = AutoModel.from_pretrained("org/name", **hub_kwargs)
          return first, second, AutoModel.from_pretrained(name)
    `,
    // A keyword dict changed after it is built is not read as a literal.
    py`
      from transformers import AutoModel

      hub = {"revision": "main"}
      hub["revision"] = load_pin()
      model = AutoModel.from_pretrained("org/name", **hub)
    `,
    // Ids with holes and Path objects are not judged.
    py`
      from pathlib import Path

      from transformers import AutoModel

      size = pick_size()
      a = AutoModel.from_pretrained(f"google/flan-t5-{size}")
      b = AutoModel.from_pretrained(Path("artifacts") / "bert")
    `,
    // Local paths: relative, absolute, home, Windows, training output folders and checkpoints.
    py`
      from transformers import AutoModel

      a = AutoModel.from_pretrained("./checkpoints/churn-bert")
      b = AutoModel.from_pretrained("../models/churn-bert")
      c = AutoModel.from_pretrained("/srv/models/churn-bert")
      d = AutoModel.from_pretrained("~/models/churn-bert")
      e = AutoModel.from_pretrained("C:\\models\\churn-bert")
      f = AutoModel.from_pretrained("models/churn-bert")
      g = AutoModel.from_pretrained("outputs/checkpoint-500")
      h = AutoModel.from_pretrained("runs/exp3/final")
      i = AutoModel.from_pretrained("weights/model.safetensors")
      j = AutoModel.from_pretrained("my_model/CLIP-ViT-L-14")
    `,
    // A bare name that is not one of the Hub's legacy models may be a local folder.
    py`
      from transformers import AutoModel

      model = AutoModel.from_pretrained("my_finetuned_model")
      other = AutoModel.from_pretrained("output")
    `,
    // Locations the program saves to are loaded back from disk.
    py`
      from huggingface_hub import snapshot_download
      from transformers import AutoModel, Trainer, TrainingArguments

      snapshot_download("org/llama", revision="86b5e0934494bd15c9632b12f734a8a67f723594", local_dir="vendor/llama")
      base = AutoModel.from_pretrained("vendor/llama")
      trainer = Trainer(model=base, args=TrainingArguments(output_dir="acme/churn-run"))
      trainer.train()
      base.save_pretrained("acme/churn-bert-ft")
      tuned = AutoModel.from_pretrained("acme/churn-bert-ft")
      best = AutoModel.from_pretrained("acme/churn-run/best")
    `,
    // A folder of the project whose name looks like a Hub id is loaded from disk.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("acme/churn-bert")
      `,
      project: projectFiles(join(projectDir, 'train.py'), projectDir, { HF_HOME: hfHome }),
    },
    // Local data files, packaged builders and dataset scripts.
    py`
      from datasets import load_dataset

      a = load_dataset("csv", data_files={"train": "train.csv"})
      b = load_dataset("imagefolder", data_dir="images")
      c = load_dataset("json", data_files="s3://bucket/train.jsonl")
      d = load_dataset("./data/churn")
      e = load_dataset("data/churn")
      f = load_dataset("scripts/churn_dataset.py")
      g = load_dataset("reviews.jsonl")
      h = load_dataset("data")
    `,
    // Other libraries' loaders with the same names: TF's load_dataset, torch's and others' from_pretrained.
    py`
      import tensorflow as tf
      import torch
      from efficientnet_pytorch import EfficientNet
      from nemo.collections.asr.models import ASRModel

      mnist = tf.contrib.learn.datasets.load_dataset("mnist")
      embedding = torch.nn.Embedding.from_pretrained(torch.zeros(3, 4))
      net = EfficientNet.from_pretrained("efficientnet-b0")
      asr = ASRModel.from_pretrained("nvidia/stt_en_conformer_ctc_small")
    `,
    // A pipeline given a loaded model, or a model from configuration.
    py`
      from transformers import AutoModel, pipeline

      model = AutoModel.from_pretrained("org/name", revision="86b5e0934494bd15c9632b12f734a8a67f723594")
      a = pipeline("text-classification", model=model)
      b = pipeline(task=config.task, model=config.model)
      c = pipeline(config.task)
    `,
    // torch.hub: release tags, commit shas, local repositories and a source from configuration.
    py`
      import torch

      a = torch.hub.load("pytorch/vision:v0.10.0", "resnet18")
      b = torch.hub.load("ultralytics/yolov5:v7.0", "yolov5s")
      c = torch.hub.load("facebookresearch/dinov2:86b5e0934494bd15c9632b12f734a8a67f723594", "dinov2_vits14")
      d = torch.hub.load("./yolov5", "custom", path="best.pt", source="local")
      e = torch.hub.load("ultralytics/yolov5", "custom", source="local")
      f = torch.hub.load(repo, "custom")
      g = torch.hub.load("ultralytics/yolov5", "yolov5s", source=cfg.source)
    `,
    // Weights downloads with a hash check, or a check decided by configuration.
    py`
      import torch
      from torch.hub import load_state_dict_from_url

      a = load_state_dict_from_url("https://download.pytorch.org/models/resnet50-0676ba61.pth", check_hash=True)
      b = torch.hub.load_state_dict_from_url(url, check_hash=cfg.check_hash)
      c = torch.utils.model_zoo.load_url(url, None, "cpu", True, True)
    `,
    // timm without pretrained weights, with pinned or configured weights.
    py`
      import timm

      a = timm.create_model("resnet50", pretrained=False)
      b = timm.create_model("resnet50")
      c = timm.create_model("hf-hub:timm/resnet50.a1_in1k@7c2d3b4f5a69788796a5b4c3d2e1f0a9b8c7d6e5", pretrained=True)
      d = timm.create_model("resnet50", pretrained=True, pretrained_cfg_overlay=dict(file="weights/resnet50.pth"))
      e = timm.create_model("resnet50", pretrained=use_pretrained)
    `,
    // torchvision weights named explicitly, or none; a project module named models is not torchvision.
    py`
      import models
      import torchvision
      from torchvision.models import ResNet50_Weights, resnet50

      a = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)
      b = resnet50(weights=None)
      c = torchvision.models.resnet18(weights="IMAGENET1K_V1")
      d = torchvision.models.resnet18(pretrained=False)
      e = models.resnet50(pretrained=True)
    `,
    // Strings, comments and docstrings only mention loads; dead code does not run.
    py`
      """Load with AutoModel.from_pretrained("bert-base-uncased")."""
      from transformers import AutoModel

      # model = AutoModel.from_pretrained("bert-base-uncased")
      HELP = 'torch.hub.load("ultralytics/yolov5", "yolov5s")'
      if False:
          model = AutoModel.from_pretrained("bert-base-uncased")
    `,
    // Tests are out of scope.
    {
      code: 'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("bert-base-uncased")\n',
      filename: 'tests/test_model.py',
    },
  ],
  invalid: [
    // The cached commit of the default branch is pinned (safe), quote style kept.
    {
      code: py`
        from transformers import AutoModel as AM

        model = AM.from_pretrained('bert-base-uncased', num_labels=2)
      `,
      project: withCache,
      highlights: ["'bert-base-uncased'"],
      messages: [
        '"bert-base-uncased" is downloaded from the Hugging Face Hub without a pinned revision',
      ],
      severities: ['warning'],
      output: py`
        from transformers import AutoModel as AM

        model = AM.from_pretrained('bert-base-uncased', num_labels=2, revision='${BERT_MAIN}')
      `,
    },
    // Tokenizer and model of one repository, through a module alias and a constant id.
    {
      code: py`
        import transformers as tf

        MODEL_ID = "org/name"
        tokenizer = tf.AutoTokenizer.from_pretrained(MODEL_ID)
        model = tf.AutoModelForSequenceClassification.from_pretrained(MODEL_ID)
      `,
      project: withCache,
      highlights: ['MODEL_ID', 'MODEL_ID'],
      output: py`
        import transformers as tf

        MODEL_ID = "org/name"
        tokenizer = tf.AutoTokenizer.from_pretrained(MODEL_ID, revision="${ORG_MAIN}")
        model = tf.AutoModelForSequenceClassification.from_pretrained(MODEL_ID, revision="${ORG_MAIN}")
      `,
    },
    // "main" is a branch: replaced by the commit it points to in the cache.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="main")
      `,
      project: withCache,
      highlights: ['"main"'],
      messages: ['revision="main" of "org/name" is a branch, which moves with every push'],
      output: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="${ORG_MAIN}")
      `,
    },
    // A tag is read from refs/<tag>.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="v1.0")
      `,
      project: withCache,
      highlights: ['"v1.0"'],
      messages: ['revision="v1.0" of "org/name" is a branch or tag, which can be moved'],
      output: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="${ORG_TAG}")
      `,
    },
    // A short sha is completed from the one cached snapshot it starts.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="86b5e09")
      `,
      project: withCache,
      highlights: ['"86b5e09"'],
      messages: ['is a short commit sha'],
      output: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="${ORG_MAIN}")
      `,
    },
    // A revision constant is replaced where it is used; a None revision is the default branch.
    {
      code: py`
        from transformers import AutoModel, AutoTokenizer

        REVISION = "main"
        model = AutoModel.from_pretrained("org/name", revision=REVISION)
        tokenizer = AutoTokenizer.from_pretrained("org/name", revision=None)
      `,
      project: withCache,
      highlights: ['REVISION', 'None'],
      output: py`
        from transformers import AutoModel, AutoTokenizer

        REVISION = "main"
        model = AutoModel.from_pretrained("org/name", revision="${ORG_MAIN}")
        tokenizer = AutoTokenizer.from_pretrained("org/name", revision="${ORG_MAIN}")
      `,
    },
    // A revision in a keyword dict is fixed in the dict; a dict without one gets the keyword.
    {
      code: py`
        from transformers import AutoModel, AutoTokenizer

        HUB = {"revision": "main", "cache_dir": None}
        model = AutoModel.from_pretrained("org/name", **HUB)
        tokenizer = AutoTokenizer.from_pretrained("org/name", **dict(use_fast=True))
      `,
      project: withCache,
      highlights: ['"main"', '"org/name"'],
      output: py`
        from transformers import AutoModel, AutoTokenizer

        HUB = {"revision": "${ORG_MAIN}", "cache_dir": None}
        model = AutoModel.from_pretrained("org/name", **HUB)
        tokenizer = AutoTokenizer.from_pretrained("org/name", **dict(use_fast=True), revision="${ORG_MAIN}")
      `,
    },
    // One argument per line: the revision gets a line of its own, after any trailing comment.
    {
      code: py`
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(
            "org/name",  # the base model
            torch_dtype="auto",
        )
      `,
      project: withCache,
      highlights: ['"org/name"'],
      output: py`
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(
            "org/name",  # the base model
            torch_dtype="auto",
            revision="${ORG_MAIN}",
        )
      `,
    },
    // A dataset is read from datasets--org--name.
    {
      code: py`
        from datasets import load_dataset

        reviews = load_dataset("stanfordnlp/imdb", split="train")
      `,
      project: withCache,
      highlights: ['"stanfordnlp/imdb"'],
      messages: ['dataset "stanfordnlp/imdb" is downloaded'],
      output: py`
        from datasets import load_dataset

        reviews = load_dataset("stanfordnlp/imdb", split="train", revision="${IMDB_MAIN}")
      `,
    },
    // sentence-transformers resolves bare names in its own namespace; CrossEncoder alike.
    {
      code: py`
        from sentence_transformers import SentenceTransformer

        encoder = SentenceTransformer("all-MiniLM-L6-v2")
      `,
      project: withCache,
      highlights: ['"all-MiniLM-L6-v2"'],
      messages: ['"all-MiniLM-L6-v2" (sentence-transformers/all-MiniLM-L6-v2)'],
      output: py`
        from sentence_transformers import SentenceTransformer

        encoder = SentenceTransformer("all-MiniLM-L6-v2", revision="${MINILM_MAIN}")
      `,
    },
    // huggingface_hub downloads, with the repository type read from repo_type=.
    {
      code: py`
        from huggingface_hub import hf_hub_download, snapshot_download

        config = hf_hub_download(repo_id="org/name", filename="config.json")
        reviews = snapshot_download("stanfordnlp/imdb", repo_type="dataset")
      `,
      project: withCache,
      highlights: ['"org/name"', '"stanfordnlp/imdb"'],
      output: py`
        from huggingface_hub import hf_hub_download, snapshot_download

        config = hf_hub_download(repo_id="org/name", filename="config.json", revision="${ORG_MAIN}")
        reviews = snapshot_download("stanfordnlp/imdb", repo_type="dataset", revision="${IMDB_MAIN}")
      `,
    },
    // pipeline(task, model=...) and a peft adapter (the repository is the second argument).
    {
      code: py`
        from peft import PeftModel
        from transformers import pipeline

        classify = pipeline("text-classification", model="org/name")
        tuned = PeftModel.from_pretrained(base_model, "org/name")
      `,
      project: withCache,
      highlights: ['"org/name"', '"org/name"'],
      output: py`
        from peft import PeftModel
        from transformers import pipeline

        classify = pipeline("text-classification", model="org/name", revision="${ORG_MAIN}")
        tuned = PeftModel.from_pretrained(base_model, "org/name", revision="${ORG_MAIN}")
      `,
    },
    // A project class with a from_pretrained of its own (a PreTrainedModel subclass).
    {
      code: py`
        from churn.modeling import ChurnModel

        model = ChurnModel.from_pretrained("org/name")
      `,
      project: withCache,
      highlights: ['"org/name"'],
      output: py`
        from churn.modeling import ChurnModel

        model = ChurnModel.from_pretrained("org/name", revision="${ORG_MAIN}")
      `,
    },
    // cache_dir= moves the cache: the commit is read there.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", cache_dir="${customCache}")
      `,
      project: withCache,
      highlights: ['"org/name"'],
      output: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", cache_dir="${customCache}", revision="${CUSTOM_MAIN}")
      `,
    },
    // $HF_HUB_CACHE wins over $HF_HOME.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name")
      `,
      project: projectFiles('/project/train.py', '/project', {
        HF_HOME: hfHome,
        HF_HUB_CACHE: overrideCache,
      }),
      highlights: ['"org/name"'],
      output: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="${OVERRIDE_MAIN}")
      `,
    },
    // Without HF_* variables the cache is ~/.cache/huggingface/hub, with HOME from the environment.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name")
      `,
      project: projectFiles('/project/train.py', '/project', { HOME: home }),
      highlights: ['"org/name"'],
      output: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/name", revision="${HOME_MAIN}")
      `,
    },
    // A bare name found in the cache is a Hub repository even if it is not a legacy one.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("tiny-churn-bert")
      `,
      project: withCache,
      highlights: ['"tiny-churn-bert"'],
      output: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("tiny-churn-bert", revision="${BERT_MAIN}")
      `,
    },
    // The placeholder a fix inserted is replaced, and its TODO line removed, once the cache has it.
    {
      code: py`
        from transformers import AutoModel

        def load():
            # TODO(mlhygiene): pin org/name to a full commit sha: https://huggingface.co/org/name/commits/main
            return AutoModel.from_pretrained("org/name", revision="${REVISION_PLACEHOLDER}")
      `,
      project: withCache,
      highlights: [`"${REVISION_PLACEHOLDER}"`],
      messages: ['is still the placeholder'],
      output: py`
        from transformers import AutoModel

        def load():
            return AutoModel.from_pretrained("org/name", revision="${ORG_MAIN}")
      `,
    },
    // The same in a CRLF file: the TODO line goes with its line break.
    {
      code:
        'from transformers import AutoModel\r\n\r\n' +
        `${'# TODO(mlhygiene): pin org/name to a full commit sha: https://huggingface.co/org/name/commits/main'}\r\n` +
        `model = AutoModel.from_pretrained("org/name", revision="${REVISION_PLACEHOLDER}")\r\n`,
      project: withCache,
      highlights: [`"${REVISION_PLACEHOLDER}"`],
      output:
        'from transformers import AutoModel\r\n\r\n' +
        `model = AutoModel.from_pretrained("org/name", revision="${ORG_MAIN}")\r\n`,
    },
    // A placeholder without a cached commit stays reported, with nothing left to fix.
    {
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/uncached", revision="${REVISION_PLACEHOLDER}")
      `,
      project: withCache,
      highlights: [`"${REVISION_PLACEHOLDER}"`],
      messages: ['The revision of "org/uncached" is still the placeholder'],
    },
    // Notebooks: a load in a later cell is information, and is pinned in its cell.
    {
      filename: 'nb.ipynb',
      code: py`
        from transformers import AutoModel
        # %%
        model = AutoModel.from_pretrained("bert-base-uncased")
      `,
      project: notebookWithCache,
      highlights: ['"bert-base-uncased"'],
      severities: ['information'],
      output: py`
        from transformers import AutoModel
        # %%
        model = AutoModel.from_pretrained("bert-base-uncased", revision="${BERT_MAIN}")
      `,
    },
    // ModelScope mirrors the API but not the cache: reported without a fix.
    {
      code: py`
        from modelscope import Model

        model = Model.from_pretrained("damo/nlp_structbert_backbone_base_std")
      `,
      project: withCache,
      highlights: ['"damo/nlp_structbert_backbone_base_std"'],
      messages: ['downloaded from ModelScope without a pinned revision'],
    },
    // pyannote takes the commit in the id (`org/name@<sha>`), not a revision keyword: no fix.
    {
      code: py`
        from pyannote.audio import Pipeline

        diarize = Pipeline.from_pretrained("pyannote/speaker-diarization-3.1")
      `,
      project: withCache,
      highlights: ['"pyannote/speaker-diarization-3.1"'],
    },
    // pipeline(task) without a model uses the task's default model.
    {
      code: py`
        from transformers import pipeline

        summarize = pipeline("summarization")
      `,
      highlights: ['pipeline'],
      messages: ["without a model downloads the task's default model"],
    },
    // torch.hub without a ref, with a branch and with a short sha.
    {
      code: py`
        import torch

        a = torch.hub.load("ultralytics/yolov5", "yolov5s", pretrained=True)
        b = torch.hub.load(repo_or_dir="intel-isl/MiDaS:master", model="DPT_Large")
        c = torch.hub.load("facebookresearch/dinov2:86b5e09", "dinov2_vits14")
      `,
      highlights: [
        '"ultralytics/yolov5"',
        '"intel-isl/MiDaS:master"',
        '"facebookresearch/dinov2:86b5e09"',
      ],
      messages: [
        'runs the default branch of ultralytics/yolov5',
        'follows the branch "master"',
        'pins a short commit sha',
      ],
    },
    // load_state_dict_from_url: check_hash=True is offered when the file name carries a hash.
    {
      code: py`
        import torch
        from torch.hub import load_state_dict_from_url

        a = load_state_dict_from_url("https://download.pytorch.org/models/resnet50-0676ba61.pth")
        b = torch.hub.load_state_dict_from_url(
            "https://download.pytorch.org/models/vgg16-397923af.pth",
            check_hash=False,
        )
        c = torch.utils.model_zoo.load_url("https://example.com/weights/model-20240101.pth")
      `,
      highlights: [
        'load_state_dict_from_url',
        'torch.hub.load_state_dict_from_url',
        'torch.utils.model_zoo.load_url',
      ],
      messages: [
        'against the hash in "resnet50-0676ba61.pth"',
        'against the hash in "vgg16-397923af.pth"',
        'downloads weights without any integrity check',
      ],
      output: py`
        import torch
        from torch.hub import load_state_dict_from_url

        a = load_state_dict_from_url("https://download.pytorch.org/models/resnet50-0676ba61.pth", check_hash=True)
        b = torch.hub.load_state_dict_from_url(
            "https://download.pytorch.org/models/vgg16-397923af.pth",
            check_hash=True,
        )
        c = torch.utils.model_zoo.load_url("https://example.com/weights/model-20240101.pth")
      `,
    },
    // timm: default weights are unpinned; an hf-hub name is pinned from the cache.
    {
      code: py`
        import timm
        from timm import create_model

        backbone = timm.create_model("vit_base_patch16_224", pretrained=True, num_classes=10)
        encoder = create_model("hf-hub:timm/resnet50.a1_in1k", pretrained=True)
      `,
      project: withCache,
      highlights: ['pretrained=True', 'pretrained=True'],
      messages: ['downloads the default weights', 'without a pinned commit'],
      output: py`
        import timm
        from timm import create_model

        backbone = timm.create_model("vit_base_patch16_224", pretrained=True, num_classes=10)
        encoder = create_model("hf-hub:timm/resnet50.a1_in1k@${TIMM_MAIN}", pretrained=True)
      `,
    },
    // torchvision: pretrained=True and DEFAULT weights leave the weights implicit.
    {
      code: py`
        import torchvision
        from torchvision import models
        from torchvision.models import ResNet50_Weights
        from torchvision.models.detection import fasterrcnn_resnet50_fpn

        a = models.resnet50(pretrained=True)
        b = models.resnet50(weights=ResNet50_Weights.DEFAULT)
        c = torchvision.models.get_model("resnet18", weights="DEFAULT")
        d = fasterrcnn_resnet50_fpn(weights=None, weights_backbone=ResNet50_Weights.DEFAULT)
      `,
      highlights: [
        'pretrained=True',
        'weights=ResNet50_Weights.DEFAULT',
        'weights="DEFAULT"',
        'weights_backbone=ResNet50_Weights.DEFAULT',
      ],
      messages: ['`pretrained=True` is deprecated', '`weights=...DEFAULT`', '', ''],
    },
  ],
});

/**
 * Without a cached commit the fix inserts a placeholder with a TODO line. The placeholder is not a
 * sha, so the diagnostic deliberately stays until the user fills it in: these cases cannot go
 * through the table, whose harness requires every fix to remove its diagnostic.
 */
describe('MLH402 placeholder fix (no cached commit)', () => {
  before(() => ensureEngine());
  const empty = (path = '/project/train.py'): ProjectFiles =>
    projectFiles(path, '/project', { HF_HOME: join(root, 'nowhere') });

  const cases: { name: string; code: string; filename?: string; output: string }[] = [
    {
      name: 'a module-level load',
      code: py`
        from transformers import AutoModel

        model = AutoModel.from_pretrained("org/uncached")
      `,
      output: py`
        from transformers import AutoModel

        # TODO(mlhygiene): pin org/uncached to a full commit sha: https://huggingface.co/org/uncached/commits/main
        model = AutoModel.from_pretrained("org/uncached", revision="${REVISION_PLACEHOLDER}")
      `,
    },
    {
      name: 'a tag of a dataset, inside a function',
      code: py`
        from datasets import load_dataset

        def reviews():
            return load_dataset('acme/reviews', revision='v2')
      `,
      output: py`
        from datasets import load_dataset

        def reviews():
            # TODO(mlhygiene): pin acme/reviews to a full commit sha: https://huggingface.co/datasets/acme/reviews/commits/v2
            return load_dataset('acme/reviews', revision='${REVISION_PLACEHOLDER}')
      `,
    },
    {
      name: 'a one-line if: the TODO goes above the if',
      code: py`
        from transformers import AutoTokenizer

        if fast: tokenizer = AutoTokenizer.from_pretrained("gpt2")
      `,
      output: py`
        from transformers import AutoTokenizer

        # TODO(mlhygiene): pin gpt2 to a full commit sha: https://huggingface.co/gpt2/commits/main
        if fast: tokenizer = AutoTokenizer.from_pretrained("gpt2", revision="${REVISION_PLACEHOLDER}")
      `,
    },
    {
      name: 'a CRLF file keeps CRLF on the TODO line',
      code: 'from transformers import AutoModel\r\nmodel = AutoModel.from_pretrained("org/uncached")\r\n',
      output:
        'from transformers import AutoModel\r\n' +
        '# TODO(mlhygiene): pin org/uncached to a full commit sha: https://huggingface.co/org/uncached/commits/main\r\n' +
        `model = AutoModel.from_pretrained("org/uncached", revision="${REVISION_PLACEHOLDER}")\r\n`,
    },
    {
      name: 'a notebook cell',
      filename: 'nb.ipynb',
      code: py`
        from sentence_transformers import SentenceTransformer
        # %%
        encoder = SentenceTransformer("BAAI/bge-m3")
      `,
      output: py`
        from sentence_transformers import SentenceTransformer
        # %%
        # TODO(mlhygiene): pin BAAI/bge-m3 to a full commit sha: https://huggingface.co/BAAI/bge-m3/commits/main
        encoder = SentenceTransformer("BAAI/bge-m3", revision="${REVISION_PLACEHOLDER}")
      `,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const project = empty(`/project/${c.filename ?? 'train.py'}`);
      const source = sourceFor(c.code, c.filename);
      const { findings, file } = findingsOf(unpinnedPretrainedModel, source, undefined, project);
      assert.equal(findings.length, 1);
      const [fix] = findings[0].fixes;
      assert.equal(findings[0].fixes.length, 1);
      assert.equal(fix.safety, 'unsafe');
      assert.match(fix.title, /Insert a revision placeholder/);

      const fixed = applyToSource(file, fix.edits)!;
      const render = (f: typeof fixed) =>
        f.notebook ? f.notebook.cells.map((cell) => cell.source).join('# %%\n') : f.text;
      assert.equal(render(fixed), c.output);
      assert.equal(countSyntaxErrors(fixed.text), 0);
      assert.doesNotMatch(fixed.text, /revision=["']main["']/);

      // The placeholder stays reported, now without a fix, so fixing reaches a fixpoint.
      const after = findingsOf(unpinnedPretrainedModel, fixed, undefined, project);
      assert.deepEqual(
        after.findings.map((f) => originalSlice(after.file, f.start, f.end).slice(1, -1)),
        [REVISION_PLACEHOLDER],
      );
      assert.match(after.findings[0].message, /still the placeholder/);
      assert.deepEqual(after.findings[0].fixes, []);
      const final = fixToFixpoint(unpinnedPretrainedModel, source, undefined, project);
      assert.equal(render(final), c.output);
    });
  }
});
