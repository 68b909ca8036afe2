import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { notebookSource, originalSlice } from '../../server/src/engine/source';
import { hardcodedSecret } from '../../server/src/rules/hardcodedSecret';
import {
  credentialStrength,
  findTokens,
  judgeValue,
  mask,
} from '../../server/src/rules/shared/secrets';
import { findingsOf, py, ruleTester, sourceFor } from '../harness/ruleTester';

// Random strings in the shapes of real tokens; none of them was ever issued by a service.
const HF = 'hf_JhB3Z45HGr1lMegDZDQPYhJd0qr75asKNk';
const HF_2 = 'hf_OmiSZ1rZIfe9QJpkvxDvPErF0tiVQvr02T';
const OPENAI = 'sk-proj-JwN7oUkJMIG0rZmKxCsvuko0UmrgkVdaGIYFG86x4xLQfaXI';
const OPENAI_LEGACY = 'sk-Lq81mE0vzPPIgO0kzrd3l0KRdOwjEpKbybv2PTmKk3loHyFX';
const ANTHROPIC = 'sk-ant-api03-AZVkoNKiqlXmb3q9vaNBSZYQYdNZww60bxRpZbVK';
const AWS_ID = 'AKIAYYW3KBIA5NDSKIK3';
const AWS_SECRET = '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';
const GITHUB = 'ghp_zKBjPXdwsDNKpEIPQtSUxwJxUm3bCNnwH1tJ';
const GITHUB_PAT =
  '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';
const SLACK = 'xoxb-790368000567-2888779301567-l2bUV5cZ9Z0YiwhT4LVEaYfY';
const GOOGLE = 'AIzauXVCUVLKo5VX3bZzKbXisEHTrFTfLT7uBGG';
const WANDB = '06aa5aa8b8e893aec6a29f10b9e77b2c9fa48585';
const KAGGLE = 'ba0f799fb08da63ab7de229eca685bc7';
const PASSWORD = 'Tr41n1ng-Db!';

ruleTester(hardcodedSecret, {
  valid: [
    // Secrets read from the environment; lookups with empty or placeholder defaults are config;
    // local OpenAI-compatible servers take a conventional "no key" value.
    py`
      import getpass
      import os

      from huggingface_hub import login
      from openai import OpenAI

      login(token=os.environ["HF_TOKEN"])
      client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", ""))
      local = OpenAI(api_key="EMPTY", base_url="http://localhost:8000/v1")
      ollama = OpenAI(api_key="ollama", base_url="http://localhost:11434/v1")
      wandb_key = os.environ.get("WANDB_API_KEY", "changeme")
      password = getpass.getpass("Password: ")
      headers = {"Authorization": f"Bearer {os.environ['API_TOKEN']}"}
    `,
    // NLP special tokens and chat-template markers are text, not credentials.
    py`
      from transformers import AutoTokenizer

      PAD_TOKEN = "[PAD]"
      EOS_TOKEN = "</s>"
      DEFAULT_IMAGE_TOKEN = "<image>"
      USER_TOKEN = "<|user|>"
      tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased", use_fast=True)
      tokenizer.add_special_tokens({"pad_token": "[PAD]", "sep_token": "[SEP]"})
      tok = AutoTokenizer.from_pretrained("gpt2", bos_token="<s>", unk_token="<unk>")
      for token in ["hello", "world"]:
          ids = tokenizer.convert_tokens_to_ids(token)
      token = "hello"
      next_token = "eyJwYWdlIjogMn0aB3kX9Lm2"
    `,
    // An LLM fine-tuning script: chat markers, prompt templates, Hub tokens from the environment.
    py`
      import os

      import streamlit as st
      from transformers import TrainingArguments

      hf_token = os.environ.get("HF_TOKEN")
      args = TrainingArguments(output_dir="out", push_to_hub=True, hub_token=hf_token)
      instruction_token = "### Instruction:"
      stop_token = "<|eot_id|>"
      word_token = "Ġthe"
      special_tokens = {"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]}
      os.environ["TOKENIZERS_PARALLELISM"] = "false"
      os.environ["WANDB_PROJECT"] = "llm-finetune"
      client_id = "123456789-abc.apps.googleusercontent.com"
      api_key = st.text_input("OpenAI API key", type="password", placeholder="sk-...")
    `,
    // Keys that index data: sort keys, dictionary keys, cache keys, PRNG keys.
    py`
      import jax

      SORT_KEY = "created_at"
      CACHE_KEY = "features_v2_2024"
      PRIMARY_KEY = "id"
      LABEL_KEY = "label"
      rows = sorted(rows, key=lambda r: r["id"])
      groups = df.groupby(by="user_id")
      key = "id"
      options = dict(key="id")
      rng = jax.random.PRNGKey(0)
    `,
    // Hashes, UUIDs, git shas and base64 blobs are not secrets unless a credential name holds them.
    py`
      from transformers import AutoModel

      SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
      MD5_CHECKSUM = "d41d8cd98f00b204e9800998ecf8427e"
      RUN_ID = "1f0e3dad-9990-4f5f-8d8b-2a3e7c1b5a6f"
      model = AutoModel.from_pretrained("org/model", revision="3f2a7c9e1b4d5a6f7e8d9c0b1a2f3e4d5c6b7a89")
      commit = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
      thumbnail = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
      update_token = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
    `,
    // Names that hold where a secret lives or how it is named, not the secret.
    py`
      API_KEY_PATH = "/run/secrets/api_key"
      TOKEN_URL = "https://oauth2.googleapis.com/token"
      SECRET_NAME = "prod/db/password"
      PASSWORD_PROMPT = "Enter password: "
      KEY_FILE = "service-account.json"
      HF_TOKEN_ENV = "HF_TOKEN"
      ACCESS_KEY = "AWS_ACCESS_KEY_ID"
      PASSWORD = "password"
      secret_key = "aws_secret_access_key"
      field = {"api_key": "apiKey", "password": "PASSWORD"}
      private_key = "~/.ssh/id_ed25519"
      client_secret = ""
      masked_password = ":****"
      parser.add_argument("--api-key", help="API key for the Hub")
    `,
    // Strings that look like a token prefix but are names, and fake tokens outside credentials.
    py`
      """Use a token such as hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx or sk-... from your account."""
      from huggingface_hub import hf_hub_download

      # e.g. AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY from the AWS docs
      license_id = "sk-linking-protocols-exception"
      path = hf_hub_download("org/model", "weights.safetensors")
      sample_id = "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"
    `,
    // Tests keep fake credentials as fixtures: only real-looking token shapes count there.
    {
      code: py`
        import psycopg2

        def test_connect(monkeypatch):
            conn = psycopg2.connect(user="etl", password="hunter2")
            API_KEY = "a8Xk29dLm4Qp7Zr1"
            client = make_client(api_key="YOUR_API_KEY", token="ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
            monkeypatch.setenv("HF_TOKEN", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
      `,
      filename: 'tests/test_client.py',
    },
    // Notebook magics that read secrets from the environment or only name them.
    {
      filename: 'nb.ipynb',
      code: py`
        %env WANDB_MODE=offline
        %env HF_TOKEN=<your token>
        !huggingface-cli login --token $HF_TOKEN
        # %%
        !wandb login
      `,
    },
  ],
  invalid: [
    // A Hugging Face token given to `login`: an error, replaced by HF_TOKEN, `import os` added.
    {
      code: py`
        from huggingface_hub import login

        login(token="${HF}")
      `,
      highlights: [`"${HF}"`],
      messages: ['Hardcoded Hugging Face token "hf_J…" passed as token=;'],
      severities: ['error'],
      output: py`
        from huggingface_hub import login
        import os

        login(token=os.environ["HF_TOKEN"])
      `,
    },
    // An OpenAI key in a constant, through an import alias; the constant's own name is kept, and
    // every OpenAI key of the file shares the service's variable.
    {
      code: py`
        import os
        import openai as oa

        OPENAI_API_KEY = "${OPENAI}"
        client = oa.OpenAI(api_key=OPENAI_API_KEY)
        legacy = oa.OpenAI(api_key="${OPENAI_LEGACY}")
      `,
      highlights: [`"${OPENAI}"`, `"${OPENAI_LEGACY}"`],
      messages: ['OpenAI API key "sk-p…" assigned to OPENAI_API_KEY', 'OpenAI API key "sk-L…"'],
      output: py`
        import os
        import openai as oa

        OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
        client = oa.OpenAI(api_key=OPENAI_API_KEY)
        legacy = oa.OpenAI(api_key=os.environ["OPENAI_API_KEY"])
      `,
    },
    // A generic keyword takes the token's kind: `api_key=` with an Anthropic key.
    {
      code: py`
        import anthropic

        client = anthropic.Anthropic(api_key="${ANTHROPIC}")
      `,
      highlights: [`"${ANTHROPIC}"`],
      messages: ['Anthropic API key "sk-a…"'],
      output: py`
        import anthropic
        import os

        client = anthropic.Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
      `,
    },
    // AWS: the key ID by its shape (error), the secret by its keyword (warning).
    {
      code: py`
        import boto3

        s3 = boto3.client(
            "s3",
            aws_access_key_id="${AWS_ID}",
            aws_secret_access_key="${AWS_SECRET}",
        )
      `,
      highlights: [`"${AWS_ID}"`, `"${AWS_SECRET}"`],
      messages: [
        'Hardcoded AWS access key ID "AKIA…" passed as aws_access_key_id=',
        'Hardcoded credential "DKwB…" passed as aws_secret_access_key=',
      ],
      severities: ['error', 'warning'],
      output: py`
        import boto3
        import os

        s3 = boto3.client(
            "s3",
            aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        )
      `,
    },
    // A GitHub token as a positional argument is named by its kind; one inside a URL has no fix.
    {
      code: py`
        import subprocess

        from github import Github

        gh = Github("${GITHUB}")
        subprocess.run(["git", "clone", f"https://{user}:${GITHUB_PAT}@github.com/org/repo.git"])
      `,
      highlights: [`"${GITHUB}"`, GITHUB_PAT],
      messages: [
        'GitHub token "ghp_…" passed to github.Github',
        'GitHub token "gith…" inside a string',
      ],
      output: py`
        import subprocess

        from github import Github
        import os

        gh = Github(os.environ["GITHUB_TOKEN"])
        subprocess.run(["git", "clone", f"https://{user}:${GITHUB_PAT}@github.com/org/repo.git"])
      `,
    },
    // Slack and Google keys.
    {
      code: py`
        from slack_sdk import WebClient

        slack = WebClient(token="${SLACK}")
        GEMINI_API_KEY = "${GOOGLE}"
      `,
      highlights: [`"${SLACK}"`, `"${GOOGLE}"`],
      messages: ['Slack token "xoxb…"', 'Google API key "AIza…" assigned to GEMINI_API_KEY'],
      output: py`
        from slack_sdk import WebClient
        import os

        slack = WebClient(token=os.environ["SLACK_TOKEN"])
        GEMINI_API_KEY = os.environ["GEMINI_API_KEY"]
      `,
    },
    // W&B: 40 hex digits are a key when `wandb.login(key=)` receives them, even through a name.
    {
      code: py`
        import wandb

        wandb.login(key="${WANDB}")
        k = "${WANDB.replace('06aa', '17bb')}"
        wandb.login(key=k, relogin=True)
      `,
      highlights: [`"${WANDB}"`, `"${WANDB.replace('06aa', '17bb')}"`],
      messages: ['W&B API key "06aa…" passed as key=', 'W&B API key "17bb…" reaches key= (line 5)'],
      output: py`
        import wandb
        import os

        wandb.login(key=os.environ["WANDB_API_KEY"])
        k = os.environ["WANDB_API_KEY"]
        wandb.login(key=k, relogin=True)
      `,
    },
    // The legacy module attribute `openai.api_key` and a W&B key under a W&B-named constant.
    {
      code: py`
        import openai

        openai.api_key = "${OPENAI_LEGACY}"
        WANDB_API_KEY = "${WANDB}"
      `,
      highlights: [`"${OPENAI_LEGACY}"`, `"${WANDB}"`],
      messages: [
        'OpenAI API key "sk-L…" assigned to openai.api_key',
        'W&B API key "06aa…" assigned to WANDB_API_KEY',
      ],
      severities: ['error', 'error'],
      output: py`
        import openai
        import os

        openai.api_key = os.environ["OPENAI_API_KEY"]
        WANDB_API_KEY = os.environ["WANDB_API_KEY"]
      `,
    },
    // Kaggle: a kaggle.json document written from a dict, and KAGGLE_KEY set in the environment
    // (that statement is removed: the variable must come from outside).
    {
      code: py`
        import json
        import os

        os.environ["KAGGLE_USERNAME"] = "alice"
        os.environ["KAGGLE_KEY"] = "${KAGGLE}"
        json.dump({"username": "alice", "key": "${KAGGLE.replace('ba0f', 'cb1e')}"}, handle)
      `,
      highlights: [`"${KAGGLE}"`, `"${KAGGLE.replace('ba0f', 'cb1e')}"`],
      messages: [
        'Kaggle API key "ba0f…" set in os.environ["KAGGLE_KEY"]; set the variable outside the program',
        'Kaggle API key "cb1e…" in the "key" entry',
      ],
      output: py`
        import json
        import os

        os.environ["KAGGLE_USERNAME"] = "alice"
        json.dump({"username": "alice", "key": os.environ["KAGGLE_KEY"]}, handle)
      `,
    },
    // Credential-named assignments, attributes and config entries with literal values: warnings.
    {
      code: py`
        from flask import Flask

        app = Flask(__name__)
        DB_PASSWORD = "${PASSWORD}"
        app.config["SECRET_KEY"] = "d8f7a6c5e4b3a2f1"
        self.api_key = "a8Xk29dLm4Qp7Zr1"
        settings = {"client_secret": "Qz81k2Lm44xpR7"}
      `,
      highlights: [`"${PASSWORD}"`, '"d8f7a6c5e4b3a2f1"', '"a8Xk29dLm4Qp7Zr1"', '"Qz81k2Lm44xpR7"'],
      messages: [
        'Hardcoded credential "Tr41…" assigned to DB_PASSWORD',
        'Hardcoded credential "d8f7…" stored under "SECRET_KEY"',
        'Hardcoded credential "a8Xk…" assigned to self.api_key',
        'Hardcoded credential "Qz81…" in the "client_secret" entry',
      ],
      severities: ['warning', 'warning', 'warning', 'warning'],
      output: py`
        from flask import Flask
        import os

        app = Flask(__name__)
        DB_PASSWORD = os.environ["DB_PASSWORD"]
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        self.api_key = os.environ["API_KEY"]
        settings = {"client_secret": os.environ["CLIENT_SECRET"]}
      `,
    },
    // A password reaching `password=` through a local name; a short one shows no characters.
    {
      code: py`
        import psycopg2

        pw = "hunter2"
        conn = psycopg2.connect(host="warehouse", user="etl", password=pw)
      `,
      highlights: ['"hunter2"'],
      messages: [
        /^Hardcoded credential reaches password= \(line 4\); load it from the environment/,
      ],
      output: py`
        import psycopg2
        import os

        pw = os.environ["PASSWORD"]
        conn = psycopg2.connect(host="warehouse", user="etl", password=pw)
      `,
    },
    // Default parameters: a password and a token.
    {
      code: py`
        import os

        def connect(user="etl", password="${PASSWORD}", token: str = "${HF}"):
            return make_client(user, password, token)
      `,
      highlights: [`"${PASSWORD}"`, `"${HF}"`],
      messages: ['as the default of parameter password', 'as the default of parameter token'],
      output: py`
        import os

        def connect(user="etl", password=os.environ["PASSWORD"], token: str = os.environ["HF_TOKEN"]):
            return make_client(user, password, token)
      `,
    },
    // Two different passwords under a generic name get two variables; a name the file already
    // reads is not reused for another value.
    {
      code: py`
        import os

        admin = connect(password=os.environ["PASSWORD"])
        source = connect(password="${PASSWORD}")
        target = connect(password="Xy9-Wq2k")
      `,
      highlights: [`"${PASSWORD}"`, '"Xy9-Wq2k"'],
      output: py`
        import os

        admin = connect(password=os.environ["PASSWORD"])
        source = connect(password=os.environ["PASSWORD_2"])
        target = connect(password=os.environ["PASSWORD_3"])
      `,
    },
    // Writes to os.environ: the statement goes, a nested one has no fix; a lookup loses its default.
    {
      code: py`
        import os

        os.environ["OPENAI_API_KEY"] = "${OPENAI}"
        os.environ.setdefault("HF_TOKEN", "${HF_2}")
        os.putenv("DB_PASSWORD", "${PASSWORD}")
        if not os.environ.get("GITHUB_TOKEN"):
            os.environ["GITHUB_TOKEN"] = "${GITHUB}"
        token = os.getenv("HF_TOKEN", "${HF}")
        os.environ.update({"ANTHROPIC_API_KEY": "${ANTHROPIC}"})
      `,
      highlights: [
        `"${OPENAI}"`,
        `"${HF_2}"`,
        `"${PASSWORD}"`,
        `"${GITHUB}"`,
        `"${HF}"`,
        `"${ANTHROPIC}"`,
      ],
      messages: [
        'OpenAI API key "sk-p…" set in os.environ["OPENAI_API_KEY"]',
        'Hugging Face token "hf_O…" set in os.environ["HF_TOKEN"]',
        'Hardcoded credential "Tr41…" set in os.environ["DB_PASSWORD"]',
        'GitHub token "ghp_…" set in os.environ["GITHUB_TOKEN"]',
        'Hugging Face token "hf_J…" as the default of os.getenv("HF_TOKEN")',
        'Anthropic API key "sk-a…" set in os.environ["ANTHROPIC_API_KEY"]',
      ],
      severities: ['error', 'error', 'warning', 'error', 'error', 'error'],
      output: py`
        import os

        if not os.environ.get("GITHUB_TOKEN"):
            os.environ["GITHUB_TOKEN"] = "${GITHUB}"
        token = os.environ["HF_TOKEN"]
        os.environ.update({"ANTHROPIC_API_KEY": "${ANTHROPIC}"})
      `,
    },
    // Placeholders where a credential belongs are hints, with the same fix.
    {
      code: py`
        from huggingface_hub import login
        from openai import OpenAI

        client = OpenAI(api_key="YOUR_API_KEY")
        login(token="<token>")
        API_KEY = "xxx"
        db = connect(password="changeme")
        other = OpenAI(api_key="OPENAI_API_KEY")
        hub = login(token="hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        SECRET = "..."
      `,
      highlights: [
        '"YOUR_API_KEY"',
        '"<token>"',
        '"xxx"',
        '"changeme"',
        '"OPENAI_API_KEY"',
        '"hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        '"..."',
      ],
      messages: [
        'Placeholder credential passed as api_key=',
        'Placeholder credential passed as token=',
        'Placeholder credential assigned to API_KEY',
        'Placeholder credential passed as password=',
        'Placeholder credential passed as api_key=',
        'Placeholder Hugging Face token passed as token=',
        'Placeholder credential assigned to SECRET',
      ],
      severities: ['hint', 'hint', 'hint', 'hint', 'hint', 'hint', 'hint'],
      output: py`
        from huggingface_hub import login
        from openai import OpenAI
        import os

        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        login(token=os.environ["HF_TOKEN"])
        API_KEY = os.environ["API_KEY"]
        db = connect(password=os.environ["PASSWORD"])
        other = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        hub = login(token=os.environ["HF_TOKEN"])
        SECRET = os.environ["SECRET"]
      `,
    },
    // Authorization headers, comments and docstrings: reported where the secret is, without a fix.
    {
      code: py`
        """Client for the scoring API (token ${HF} for the demo space)."""
        import requests

        # old key: ${AWS_ID}
        headers = {"Authorization": "Bearer 9f8a7Kd2LmQ41xZ0"}
        requests.get(url, headers=headers)
      `,
      highlights: [HF, AWS_ID, '"Bearer 9f8a7Kd2LmQ41xZ0"'],
      messages: [
        'Hugging Face token "hf_J…" inside a string',
        'AWS access key ID "AKIA…" in a comment',
        'Hardcoded credential "Bear…" in the "Authorization" entry',
      ],
      severities: ['error', 'error', 'warning'],
    },
    // Tests get the real-looking token shapes (as errors) and nothing else.
    {
      code: py`
        def test_upload():
            upload(token="${HF}", password="hunter2")
      `,
      filename: 'tests/test_upload.py',
      highlights: [`"${HF}"`],
      severities: ['error'],
      output: py`
        import os
        def test_upload():
            upload(token=os.environ["HF_TOKEN"], password="hunter2")
      `,
    },
    // Notebook: a token in a later cell; `import os` joins the imports of the first cell.
    {
      filename: 'nb.ipynb',
      code: `from huggingface_hub import login\n# %%\nlogin(token="${HF}")\n`,
      highlights: [`"${HF}"`],
      messages: ['Hardcoded Hugging Face token "hf_J…" passed as token='],
      output: `from huggingface_hub import login\nimport os\n# %%\nlogin(token=os.environ["HF_TOKEN"])\n`,
    },
    // Notebook: a token set in one cell and used in another, reported once at the literal.
    {
      filename: 'nb.ipynb',
      code: `import psycopg2\n# %%\npw = "${PASSWORD}"\n# %%\nconn = psycopg2.connect(password=pw)\n`,
      highlights: [`"${PASSWORD}"`],
      messages: ['reaches password= (cell 3, line 1)'],
      output: `import psycopg2\nimport os\n# %%\npw = os.environ["PASSWORD"]\n# %%\nconn = psycopg2.connect(password=pw)\n`,
    },
    // Notebook magics and shell escapes: tokens, `wandb login <key>`, `%env` with a password and
    // a kaggle.json written by `echo`; reported in the line, with no fix.
    {
      filename: 'nb.ipynb',
      code: py`
        %env OPENAI_API_KEY=${OPENAI}
        !wandb login ${WANDB}
        %env DB_PASSWORD=${PASSWORD}
        # %%
        !echo '{"username":"alice","key":"${KAGGLE}"}' > ~/.kaggle/kaggle.json
      `,
      highlights: [OPENAI, WANDB, PASSWORD, KAGGLE],
      messages: [
        'OpenAI API key "sk-p…" in `%env`',
        'W&B API key "06aa…" in `!wandb`',
        'Hardcoded credential for DB_PASSWORD in `%env`',
        'Kaggle API key "ba0f…" in `!echo`',
      ],
      severities: ['error', 'error', 'warning', 'error'],
    },
  ],
});

describe('MLH601 stored notebook outputs', () => {
  before(() => ensureEngine());

  it('reports a token printed in a stored output on the cell, masked, without a fix', () => {
    const file = notebookSource('/project/nb.ipynb', [
      { kind: 'markdown', source: `# Setup\nNever paste ${HF_2} here.` },
      { kind: 'code', source: 'import os\nprint(os.environ["HF_TOKEN"])', outputs: `${HF}\n` },
      { kind: 'code', source: 'creds', outputs: `{'id': '${AWS_ID}', 'key': '${OPENAI}'}` },
      { kind: 'code', source: 'print("hf_" + "x" * 34)', outputs: `hf_${'x'.repeat(34)}\n` },
    ]);
    const { findings, file: linted } = findingsOf(hardcodedSecret, file);
    assert.deepEqual(
      findings.map((f) => [originalSlice(linted, f.start, f.end), f.message, f.fixes.length]),
      [
        [
          'import os',
          'The stored output of this cell shows a Hugging Face token "hf_J…"; clear the notebook\'s outputs and revoke the exposed token',
          0,
        ],
        [
          'creds',
          'The stored output of this cell shows an AWS access key ID "AKIA…" and 1 more secret; clear the notebook\'s outputs and revoke the exposed token',
          0,
        ],
      ],
    );
    assert.deepEqual(
      findings.map((f) => linted.notebook!.module.toCell(f.start)?.cellIndex),
      [1, 2],
    );
  });
});

describe('MLH601 never shows a secret', () => {
  before(() => ensureEngine());

  it('masks every secret in messages and fix titles to at most its first four characters', () => {
    const secrets = [HF, OPENAI, ANTHROPIC, AWS_ID, AWS_SECRET, GITHUB, SLACK, WANDB, KAGGLE];
    const code = py`
      import boto3
      import wandb
      from huggingface_hub import login

      login(token="${HF}")
      OPENAI_API_KEY = "${OPENAI}"
      ANTHROPIC_API_KEY = "${ANTHROPIC}"
      s3 = boto3.client("s3", aws_access_key_id="${AWS_ID}", aws_secret_access_key="${AWS_SECRET}")
      GITHUB_TOKEN = "${GITHUB}"  # ${SLACK}
      wandb.login(key="${WANDB}")
      creds = {"username": "alice", "key": "${KAGGLE}"}
    `;
    const { findings } = findingsOf(hardcodedSecret, sourceFor(code));
    assert.equal(findings.length, secrets.length);
    const shown = findings.flatMap((f) => [f.message, ...f.fixes.map((x) => x.title)]).join('\n');
    for (const secret of secrets) {
      assert.ok(!shown.includes(secret.slice(0, 5)), `shows more than 4 characters of ${secret}`);
      for (let i = 1; i + 6 <= secret.length; i++) {
        assert.ok(!shown.includes(secret.slice(i, i + 6)), `shows part of ${secret}`);
      }
    }
  });

  it('masks to the first four characters, and short values entirely', () => {
    assert.equal(mask(HF), 'hf_J…');
    assert.equal(mask('hunter2'), undefined);
  });
});

describe('MLH601 names and values', () => {
  it('tells credential names from names of data, text tokens and locations', () => {
    const names: [string, string | undefined][] = [
      ['password', 'password'],
      ['DB_PASSWORD', 'password'],
      ['dbPass', 'password'],
      ['passwd', 'password'],
      ['api_key', 'key'],
      ['OPENAI_API_KEY', 'key'],
      ['apiKey', 'key'],
      ['X-Api-Key', 'key'],
      ['aws_secret_access_key', 'key'],
      ['client_secret', 'password'],
      ['SECRET', 'password'],
      ['SECRET_KEY', 'password'],
      ['HF_TOKEN', 'key'],
      ['access_token', 'key'],
      ['use_auth_token', 'key'],
      ['token', 'weak'],
      ['my_token', 'weak'],
      ['PAD_TOKEN', undefined],
      ['bos_token', undefined],
      ['next_token', undefined],
      ['tokenizer', undefined],
      ['key', undefined],
      ['SORT_KEY', undefined],
      ['primary_key', undefined],
      ['API_KEY_PATH', undefined],
      ['TOKEN_URL', undefined],
      ['SECRET_NAME', undefined],
      ['password_hash', undefined],
      ['first_pass', undefined],
      ['pwd', undefined],
    ];
    assert.deepEqual(
      names.map(([name]) => [name, credentialStrength(name)]),
      names,
    );
  });

  it('tells secrets from placeholders and from values that are no secret at all', () => {
    const values: [string, string, string | undefined][] = [
      ['hunter2', 'password', 'secret'],
      ['P@55w0rd!', 'password', 'placeholder'],
      ['YOUR_API_KEY', 'key', 'placeholder'],
      ['<your-token>', 'key', 'placeholder'],
      ['<unk>', 'weak', undefined],
      ['***', 'password', 'placeholder'],
      ['', 'password', undefined],
      ['Enter your password:', 'password', undefined],
      ['your api key here', 'key', 'placeholder'],
      ['correct horse battery staple', 'password', 'secret'],
      ['correct horse battery staple', 'key', undefined],
      ['super secret key', 'password', 'placeholder'],
      ['asdfasdfasdf', 'password', 'placeholder'],
      ['/run/secrets/db', 'password', undefined],
      ['aws_secret_access_key', 'key', undefined],
      ['a8Xk29dLm4Qp7Zr1', 'key', 'secret'],
      ['abc12345', 'key', 'placeholder'],
      ['created_at', 'key', undefined],
      ['hello', 'weak', undefined],
      ['eyJhbGciOiJIUzI1NiJ9x', 'weak', 'secret'],
    ];
    assert.deepEqual(
      values.map(([value, strength]) => [
        value,
        strength,
        judgeValue(value, strength as 'password' | 'key' | 'weak'),
      ]),
      values,
    );
  });

  it('finds every token kind and tells real-looking tokens from fake ones', () => {
    const text = [HF, OPENAI, ANTHROPIC, AWS_ID, GITHUB, GITHUB_PAT, SLACK, GOOGLE].join(' ');
    assert.deepEqual(
      findTokens(text).map((t) => [t.kind.envName, t.real]),
      [
        ['HF_TOKEN', true],
        ['OPENAI_API_KEY', true],
        ['ANTHROPIC_API_KEY', true],
        ['AWS_ACCESS_KEY_ID', true],
        ['GITHUB_TOKEN', true],
        ['GITHUB_TOKEN', true],
        ['SLACK_TOKEN', true],
        ['GOOGLE_API_KEY', true],
      ],
    );
    const fakes = [
      'AKIAIOSFODNN7EXAMPLE',
      `hf_${'x'.repeat(34)}`,
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'sk-learn-contrib-imbalanced-learn',
    ];
    assert.deepEqual(
      findTokens(fakes.join(' ')).map((t) => t.real),
      [false, false, false, false],
    );
  });
});
