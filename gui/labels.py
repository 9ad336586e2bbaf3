"""Human names for the engine's identifiers: config keys, their choice values, the cleaning steps
and their drop reasons. The engine names things for TOML files and `--set`; a person reads these.

The tables hold untranslated English marked with QT_TRANSLATE_NOOP, so lupdate collects them while
the lookup translates at call time: a translator installed after import still takes effect."""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

# One label per key, whichever config it is in: a key means the same knob everywhere, so the same
# word keeps the forms consistent. Pages may still pass their own label for a key.
CONFIG_LABELS = {
    # model and tokenizer
    "preset": QT_TRANSLATE_NOOP("ConfigLabels", "Size preset"),
    "n_layer": QT_TRANSLATE_NOOP("ConfigLabels", "Layers"),
    "n_head": QT_TRANSLATE_NOOP("ConfigLabels", "Attention heads"),
    "n_embd": QT_TRANSLATE_NOOP("ConfigLabels", "Width"),
    "block_size": QT_TRANSLATE_NOOP("ConfigLabels", "Context (tokens)"),
    "n_experts": QT_TRANSLATE_NOOP("ConfigLabels", "Experts (MoE)"),
    "expert_top_k": QT_TRANSLATE_NOOP("ConfigLabels", "Experts per token"),
    "moe_aux_weight": QT_TRANSLATE_NOOP("ConfigLabels", "Load-balancing weight"),
    "dropout": QT_TRANSLATE_NOOP("ConfigLabels", "Dropout"),
    "vocab_size": QT_TRANSLATE_NOOP("ConfigLabels", "Vocabulary size"),
    "min_frequency": QT_TRANSLATE_NOOP("ConfigLabels", "Min pair frequency"),
    "shard_tokens": QT_TRANSLATE_NOOP("ConfigLabels", "Tokens per shard"),
    "train_mb": QT_TRANSLATE_NOOP("ConfigLabels", "BPE training text (MB)"),
    # budget and optimiser
    "max_steps": QT_TRANSLATE_NOOP("ConfigLabels", "Steps"),
    "max_minutes": QT_TRANSLATE_NOOP("ConfigLabels", "Minutes"),
    "steps": QT_TRANSLATE_NOOP("ConfigLabels", "Steps"),
    "epochs": QT_TRANSLATE_NOOP("ConfigLabels", "Epochs"),
    "batch_size": QT_TRANSLATE_NOOP("ConfigLabels", "Batch size"),
    "grad_accum": QT_TRANSLATE_NOOP("ConfigLabels", "Gradient accumulation"),
    "lr": QT_TRANSLATE_NOOP("ConfigLabels", "Learning rate"),
    "min_lr_frac": QT_TRANSLATE_NOOP("ConfigLabels", "Final learning rate (share)"),
    "warmup_steps": QT_TRANSLATE_NOOP("ConfigLabels", "Warm-up steps"),
    "decay_frac": QT_TRANSLATE_NOOP("ConfigLabels", "Decay share"),
    "weight_decay": QT_TRANSLATE_NOOP("ConfigLabels", "Weight decay"),
    "beta1": QT_TRANSLATE_NOOP("ConfigLabels", "Adam β1"),
    "beta2": QT_TRANSLATE_NOOP("ConfigLabels", "Adam β2"),
    "grad_clip": QT_TRANSLATE_NOOP("ConfigLabels", "Gradient clip"),
    "seed": QT_TRANSLATE_NOOP("ConfigLabels", "Seed"),
    # measuring, saving, guarding
    "eval_every": QT_TRANSLATE_NOOP("ConfigLabels", "Validate every"),
    "eval_batches": QT_TRANSLATE_NOOP("ConfigLabels", "Validation batches"),
    "val_fraction": QT_TRANSLATE_NOOP("ConfigLabels", "Validation share"),
    "sample_every": QT_TRANSLATE_NOOP("ConfigLabels", "Sample every"),
    "sample_tokens": QT_TRANSLATE_NOOP("ConfigLabels", "Sample length (tokens)"),
    "sample_prompts": QT_TRANSLATE_NOOP("ConfigLabels", "Sample prompts"),
    "checkpoint_every": QT_TRANSLATE_NOOP("ConfigLabels", "Checkpoint every"),
    "checkpoint_minutes": QT_TRANSLATE_NOOP("ConfigLabels", "Checkpoint every (minutes)"),
    "keep_last": QT_TRANSLATE_NOOP("ConfigLabels", "Checkpoints kept"),
    "spike_sigma": QT_TRANSLATE_NOOP("ConfigLabels", "Spike threshold (σ)"),
    "spike_window": QT_TRANSLATE_NOOP("ConfigLabels", "Spike window (steps)"),
    "max_bad_steps": QT_TRANSLATE_NOOP("ConfigLabels", "Max skipped steps"),
    # machine
    "device": QT_TRANSLATE_NOOP("ConfigLabels", "Device"),
    "dtype": QT_TRANSLATE_NOOP("ConfigLabels", "Precision"),
    "threads": QT_TRANSLATE_NOOP("ConfigLabels", "CPU threads"),
    "compile": QT_TRANSLATE_NOOP("ConfigLabels", "Compile model"),
    "activation_checkpointing": QT_TRANSLATE_NOOP("ConfigLabels", "Activation checkpointing"),
    # data
    "base": QT_TRANSLATE_NOOP("ConfigLabels", "Base model"),
    "sft": QT_TRANSLATE_NOOP("ConfigLabels", "SFT run"),
    "ref": QT_TRANSLATE_NOOP("ConfigLabels", "Reference model"),
    "runs": QT_TRANSLATE_NOOP("ConfigLabels", "Runs to compare"),
    "data": QT_TRANSLATE_NOOP("ConfigLabels", "Data file"),
    "prefs": QT_TRANSLATE_NOOP("ConfigLabels", "Pairs file"),
    "prompts": QT_TRANSLATE_NOOP("ConfigLabels", "Prompts"),
    "shuffle_docs": QT_TRANSLATE_NOOP("ConfigLabels", "Shuffle documents"),
    "mix_qa": QT_TRANSLATE_NOOP("ConfigLabels", "Mixed-in QA (share)"),
    "mix_data": QT_TRANSLATE_NOOP("ConfigLabels", "Mix-in data"),
    # fine-tuning
    "loss_on": QT_TRANSLATE_NOOP("ConfigLabels", "Loss on"),
    "select": QT_TRANSLATE_NOOP("ConfigLabels", "Examples"),
    "select_n": QT_TRANSLATE_NOOP("ConfigLabels", "How many"),
    "bucket": QT_TRANSLATE_NOOP("ConfigLabels", "Group by length"),
    "response_only": QT_TRANSLATE_NOOP("ConfigLabels", "Responses only"),
    "replay": QT_TRANSLATE_NOOP("ConfigLabels", "Replay share"),
    "eval_prompts": QT_TRANSLATE_NOOP("ConfigLabels", "Evaluation prompts"),
    "lora": QT_TRANSLATE_NOOP("ConfigLabels", "LoRA"),
    "lora_rank": QT_TRANSLATE_NOOP("ConfigLabels", "LoRA rank"),
    "lora_alpha": QT_TRANSLATE_NOOP("ConfigLabels", "LoRA alpha"),
    "lora_dropout": QT_TRANSLATE_NOOP("ConfigLabels", "LoRA dropout"),
    "lora_targets": QT_TRANSLATE_NOOP("ConfigLabels", "LoRA targets"),
    "lora_train_embeddings": QT_TRANSLATE_NOOP("ConfigLabels", "Train embeddings"),
    # preference training and RL
    "beta": QT_TRANSLATE_NOOP("ConfigLabels", "Beta (β)"),
    "likelihood": QT_TRANSLATE_NOOP("ConfigLabels", "Add likelihood score"),
    "weight_desirable": QT_TRANSLATE_NOOP("ConfigLabels", "Thumbs-up weight"),
    "weight_undesirable": QT_TRANSLATE_NOOP("ConfigLabels", "Thumbs-down weight"),
    "judge": QT_TRANSLATE_NOOP("ConfigLabels", "Judge"),
    "unsafe_share": QT_TRANSLATE_NOOP("ConfigLabels", "Unsafe prompt share"),
    "group_size": QT_TRANSLATE_NOOP("ConfigLabels", "Answers per prompt"),
    "answer_tokens": QT_TRANSLATE_NOOP("ConfigLabels", "Answer length (tokens)"),
    "clip_eps": QT_TRANSLATE_NOOP("ConfigLabels", "Ratio clip (ε)"),
    "pass_k": QT_TRANSLATE_NOOP("ConfigLabels", "pass@k samples"),
    "filter_prompts": QT_TRANSLATE_NOOP("ConfigLabels", "Prompts to filter"),
    "advantage": QT_TRANSLATE_NOOP("ConfigLabels", "Advantage"),
    "gamma": QT_TRANSLATE_NOOP("ConfigLabels", "Discount (γ)"),
    "lam": QT_TRANSLATE_NOOP("ConfigLabels", "GAE λ"),
    "vf_coef": QT_TRANSLATE_NOOP("ConfigLabels", "Value loss weight"),
    "clip_value": QT_TRANSLATE_NOOP("ConfigLabels", "Value clip"),
    "ppo_epochs": QT_TRANSLATE_NOOP("ConfigLabels", "Steps per rollout"),
    # decoding
    "greedy": QT_TRANSLATE_NOOP("ConfigLabels", "Greedy"),
    "temperature": QT_TRANSLATE_NOOP("ConfigLabels", "Temperature"),
    "top_k": QT_TRANSLATE_NOOP("ConfigLabels", "Top-k"),
    "top_p": QT_TRANSLATE_NOOP("ConfigLabels", "Top-p"),
    "repetition_penalty": QT_TRANSLATE_NOOP("ConfigLabels", "Repetition penalty"),
    "eos_bias": QT_TRANSLATE_NOOP("ConfigLabels", "End-of-turn bias"),
    "max_new_tokens": QT_TRANSLATE_NOOP("ConfigLabels", "Max new tokens"),
    # labs: chinchilla
    "budget_minutes": QT_TRANSLATE_NOOP("ConfigLabels", "Budget (minutes)"),
    "flops": QT_TRANSLATE_NOOP("ConfigLabels", "Smallest budget (FLOPs)"),
    "budgets": QT_TRANSLATE_NOOP("ConfigLabels", "Budgets"),
    "budget_factor": QT_TRANSLATE_NOOP("ConfigLabels", "Budget multiplier"),
    "sizes": QT_TRANSLATE_NOOP("ConfigLabels", "Sizes per budget"),
    "models": QT_TRANSLATE_NOOP("ConfigLabels", "Model sizes (layers×width)"),
    "digits": QT_TRANSLATE_NOOP("ConfigLabels", "Digits per number"),
    "reverse": QT_TRANSLATE_NOOP("ConfigLabels", "Answer reversed"),
    "reverse_operands": QT_TRANSLATE_NOOP("ConfigLabels", "Numbers reversed"),
    "eval_problems": QT_TRANSLATE_NOOP("ConfigLabels", "Held-out problems"),
    "dense_total_run": QT_TRANSLATE_NOOP("ConfigLabels", "Dense model of total size"),
    "expert_ratio": QT_TRANSLATE_NOOP("ConfigLabels", "Expert width (× model width)"),
    "gen_tokens": QT_TRANSLATE_NOOP("ConfigLabels", "Tokens generated (speed)"),
    "center_tokens_per_param": QT_TRANSLATE_NOOP("ConfigLabels", "Sweep centre (tokens/param)"),
    "people": QT_TRANSLATE_NOOP("ConfigLabels", "People"),
    # labs: knowledge
    "versions": QT_TRANSLATE_NOOP("ConfigLabels", "Versions per person"),
    "lang": QT_TRANSLATE_NOOP("ConfigLabels", "Language"),
    "stories": QT_TRANSLATE_NOOP("ConfigLabels", "Validation stories"),
    "pretrain_steps": QT_TRANSLATE_NOOP("ConfigLabels", "Pretraining steps"),
    "sft_steps": QT_TRANSLATE_NOOP("ConfigLabels", "Fine-tuning steps"),
    "sft_lr": QT_TRANSLATE_NOOP("ConfigLabels", "Fine-tuning learning rate"),
    "sft_batch_size": QT_TRANSLATE_NOOP("ConfigLabels", "Fine-tuning batch size"),
    "curve_points": QT_TRANSLATE_NOOP("ConfigLabels", "Curve points"),
    "curve_questions": QT_TRANSLATE_NOOP("ConfigLabels", "Questions per point"),
    "questions": QT_TRANSLATE_NOOP("ConfigLabels", "Questions"),
    "train_questions": QT_TRANSLATE_NOOP("ConfigLabels", "Training questions"),
    "examples": QT_TRANSLATE_NOOP("ConfigLabels", "Report examples"),
    "keep_checkpoints": QT_TRANSLATE_NOOP("ConfigLabels", "Keep checkpoints"),
    # labs: sft-categories
    "facts": QT_TRANSLATE_NOOP("ConfigLabels", "Facts"),
    "samples": QT_TRANSLATE_NOOP("ConfigLabels", "Samples per prompt"),
    "per_category": QT_TRANSLATE_NOOP("ConfigLabels", "Facts per category"),
    "min_facts": QT_TRANSLATE_NOOP("ConfigLabels", "Min facts per category"),
    "eval_questions": QT_TRANSLATE_NOOP("ConfigLabels", "Evaluation questions"),
    "fit_questions": QT_TRANSLATE_NOOP("ConfigLabels", "Fit-check questions"),
    "keep_scratch": QT_TRANSLATE_NOOP("ConfigLabels", "Keep scratch files"),
    # labs: calibration
    "split": QT_TRANSLATE_NOOP("ConfigLabels", "Question set"),
    "confidence": QT_TRANSLATE_NOOP("ConfigLabels", "Confidence measure"),
    "bins": QT_TRANSLATE_NOOP("ConfigLabels", "Confidence bins"),
    # labs: spikes
    "bursts": QT_TRANSLATE_NOOP("ConfigLabels", "Junk bursts"),
    "first_burst": QT_TRANSLATE_NOOP("ConfigLabels", "First burst (share)"),
    "last_burst": QT_TRANSLATE_NOOP("ConfigLabels", "Last burst (share)"),
    "unguarded_run": QT_TRANSLATE_NOOP("ConfigLabels", "Unguarded run"),
    # labs: decoding
    "unsafe": QT_TRANSLATE_NOOP("ConfigLabels", "Unsafe requests"),
    "few_shot": QT_TRANSLATE_NOOP("ConfigLabels", "Example turns"),
    "system_prompt": QT_TRANSLATE_NOOP("ConfigLabels", "System prompt"),
    "decoding_only": QT_TRANSLATE_NOOP("ConfigLabels", "Decoding tricks alone"),
    "store_answers": QT_TRANSLATE_NOOP("ConfigLabels", "Save answers for judging"),
}

# Choice values by (key, value): "all" is every example for `select` but every token for `loss_on`.
CHOICE_LABELS = {
    ("preset", "tiny"): QT_TRANSLATE_NOOP("ConfigChoices", "Tiny"),
    ("preset", "small"): QT_TRANSLATE_NOOP("ConfigChoices", "Small"),
    ("preset", "medium"): QT_TRANSLATE_NOOP("ConfigChoices", "Medium"),
    ("dtype", "auto"): QT_TRANSLATE_NOOP("ConfigChoices", "Automatic"),
    ("dtype", "fp32"): QT_TRANSLATE_NOOP("ConfigChoices", "32-bit float (fp32)"),
    ("dtype", "bf16"): QT_TRANSLATE_NOOP("ConfigChoices", "16-bit bfloat (bf16)"),
    ("loss_on", "assistant"): QT_TRANSLATE_NOOP("ConfigChoices", "The answers only"),
    ("loss_on", "all"): QT_TRANSLATE_NOOP("ConfigChoices", "Every token"),
    ("select", "all"): QT_TRANSLATE_NOOP("ConfigChoices", "All"),
    ("select", "longest"): QT_TRANSLATE_NOOP("ConfigChoices", "The longest N"),
    ("select", "diverse"): QT_TRANSLATE_NOOP("ConfigChoices", "N diverse prompts"),
    ("advantage", "group_std"): QT_TRANSLATE_NOOP("ConfigChoices", "Scaled by group std (GRPO)"),
    ("advantage", "dr_grpo"): QT_TRANSLATE_NOOP("ConfigChoices", "Mean only (Dr. GRPO)"),
    ("lang", "en"): QT_TRANSLATE_NOOP("ConfigChoices", "English"),
    ("lang", "zh"): QT_TRANSLATE_NOOP("ConfigChoices", "Chinese"),
    ("lang", "both"): QT_TRANSLATE_NOOP("ConfigChoices", "English and Chinese"),
    ("split", "heldout"): QT_TRANSLATE_NOOP("ConfigChoices", "Held-out people"),
    ("split", "train"): QT_TRANSLATE_NOOP("ConfigChoices", "Training people"),
    ("confidence", "answer"): QT_TRANSLATE_NOOP("ConfigChoices", "Answer probability"),
    ("confidence", "geomean"): QT_TRANSLATE_NOOP("ConfigChoices", "Geometric mean per token"),
    ("confidence", "min_token"): QT_TRANSLATE_NOOP("ConfigChoices", "Least likely token"),
}

# engine/data/clean.py: the funnel's rows are "input", the steps' `name`s, then "output"
STEP_LABELS = {
    "input": QT_TRANSLATE_NOOP("CleaningLabels", "Input"),
    "normalize": QT_TRANSLATE_NOOP("CleaningLabels", "Normalize"),
    "rules": QT_TRANSLATE_NOOP("CleaningLabels", "Rules"),
    "exact_dedup": QT_TRANSLATE_NOOP("CleaningLabels", "Exact duplicates"),
    "near_dedup": QT_TRANSLATE_NOOP("CleaningLabels", "Near duplicates"),
    "quality": QT_TRANSLATE_NOOP("CleaningLabels", "Quality model"),
    "output": QT_TRANSLATE_NOOP("CleaningLabels", "Output"),
}

# what each step's `apply` returns; the rules' reasons are engine/data/rules.py's RULES
REASON_LABELS = {
    "empty_after_normalize": QT_TRANSLATE_NOOP("CleaningLabels", "Empty after normalizing"),
    "too_short": QT_TRANSLATE_NOOP("CleaningLabels", "Too short"),
    "too_long": QT_TRANSLATE_NOOP("CleaningLabels", "Too long"),
    "short_lines": QT_TRANSLATE_NOOP("CleaningLabels", "Short lines"),
    "long_lines": QT_TRANSLATE_NOOP("CleaningLabels", "Long lines"),
    "symbols": QT_TRANSLATE_NOOP("CleaningLabels", "Too many symbols"),
    "other_script": QT_TRANSLATE_NOOP("CleaningLabels", "Other script"),
    "bullet_lines": QT_TRANSLATE_NOOP("CleaningLabels", "Mostly bullet lines"),
    "ellipsis_lines": QT_TRANSLATE_NOOP("CleaningLabels", "Lines cut off with …"),
    "duplicate_lines": QT_TRANSLATE_NOOP("CleaningLabels", "Repeated lines"),
    "duplicate_line_chars": QT_TRANSLATE_NOOP("CleaningLabels", "Text in repeated lines"),
    "char_run": QT_TRANSLATE_NOOP("CleaningLabels", "One character repeated"),
    "bad_words": QT_TRANSLATE_NOOP("CleaningLabels", "Bad words"),
    "periodic_repeat": QT_TRANSLATE_NOOP("CleaningLabels", "Repeating pattern"),
    "top_ngram": QT_TRANSLATE_NOOP("CleaningLabels", "One phrase dominates"),
    "duplicate_ngrams": QT_TRANSLATE_NOOP("CleaningLabels", "Repeated phrases"),
    "exact_duplicate": QT_TRANSLATE_NOOP("CleaningLabels", "Exact duplicate"),
    "near_duplicate": QT_TRANSLATE_NOOP("CleaningLabels", "Near duplicate"),
    "low_quality": QT_TRANSLATE_NOOP("CleaningLabels", "Low quality"),
}

# The graphs' series: the engine's metric keys (what the CSV export and the CLI name them).
METRIC_LABELS = {
    "train/loss": QT_TRANSLATE_NOOP("MetricLabels", "Training loss"),
    "train/lr": QT_TRANSLATE_NOOP("MetricLabels", "Learning rate"),
    "train/grad_norm": QT_TRANSLATE_NOOP("MetricLabels", "Gradient norm"),
    "train/aux_loss": QT_TRANSLATE_NOOP("MetricLabels", "Load-balancing loss"),
    "train/accuracy": QT_TRANSLATE_NOOP("MetricLabels", "Training accuracy"),
    "val/loss": QT_TRANSLATE_NOOP("MetricLabels", "Validation loss"),
    "val/bpb": QT_TRANSLATE_NOOP("MetricLabels", "Bits per byte"),
    "val/memorised": QT_TRANSLATE_NOOP("MetricLabels", "Facts memorised"),
    "val/accuracy": QT_TRANSLATE_NOOP("MetricLabels", "Validation accuracy"),
    "val/margin": QT_TRANSLATE_NOOP("MetricLabels", "Validation margin"),
    "val/pref_accuracy": QT_TRANSLATE_NOOP("MetricLabels", "Preference accuracy"),
    "val/reward": QT_TRANSLATE_NOOP("MetricLabels", "Reward (held out)"),
    "val/reward_greedy": QT_TRANSLATE_NOOP("MetricLabels", "Reward, greedy (held out)"),
    "val/gold": QT_TRANSLATE_NOOP("MetricLabels", "Gold reward (rules)"),
    "val/kl": QT_TRANSLATE_NOOP("MetricLabels", "KL to the start model"),
    "val/distinct_ratio": QT_TRANSLATE_NOOP("MetricLabels", "Distinct answers"),
    "val/end_rate": QT_TRANSLATE_NOOP("MetricLabels", "Answers that end"),
    "val/length": QT_TRANSLATE_NOOP("MetricLabels", "Answer length"),
    "val/reward_accuracy": QT_TRANSLATE_NOOP("MetricLabels", "Reward accuracy"),
    "val/reward_chosen": QT_TRANSLATE_NOOP("MetricLabels", "Reward, chosen"),
    "val/reward_rejected": QT_TRANSLATE_NOOP("MetricLabels", "Reward, rejected"),
    "val/reward_desirable": QT_TRANSLATE_NOOP("MetricLabels", "Reward, desirable"),
    "val/reward_undesirable": QT_TRANSLATE_NOOP("MetricLabels", "Reward, undesirable"),
    "rewards/margin": QT_TRANSLATE_NOOP("MetricLabels", "Reward margin"),
    "rewards/accuracy": QT_TRANSLATE_NOOP("MetricLabels", "Reward accuracy"),
    "rewards/chosen": QT_TRANSLATE_NOOP("MetricLabels", "Reward, chosen"),
    "rewards/rejected": QT_TRANSLATE_NOOP("MetricLabels", "Reward, rejected"),
    "rewards/desirable": QT_TRANSLATE_NOOP("MetricLabels", "Reward, desirable"),
    "rewards/undesirable": QT_TRANSLATE_NOOP("MetricLabels", "Reward, undesirable"),
    "rl/reward": QT_TRANSLATE_NOOP("MetricLabels", "Reward (training)"),
    "rl/gold": QT_TRANSLATE_NOOP("MetricLabels", "Gold reward (training)"),
    "rl/kl": QT_TRANSLATE_NOOP("MetricLabels", "KL (training)"),
    "rl/entropy": QT_TRANSLATE_NOOP("MetricLabels", "Entropy"),
    "rl/zero_variance": QT_TRANSLATE_NOOP("MetricLabels", "Groups with one score"),
    "perf/tokens_per_s": QT_TRANSLATE_NOOP("MetricLabels", "Tokens per second"),
}


def _humanize(name: str) -> str:
    # a key added to the engine but not here yet still reads as words, never as snake_case
    return name.replace("_", " ").strip().capitalize() or name


def config_label(key: str) -> str:
    """A config key's form label, in the current language."""
    text = CONFIG_LABELS.get(key)
    return QCoreApplication.translate("ConfigLabels", text) if text else _humanize(key)


def choice_label(key: str, value) -> str:
    """The text a combo shows for one of a key's choices (the config keeps the raw value)."""
    text = CHOICE_LABELS.get((key, str(value)))
    return QCoreApplication.translate("ConfigChoices", text) if text else str(value)


def step_label(step: str) -> str:
    """A cleaning step's name, as the funnel and the reasons table show it."""
    text = STEP_LABELS.get(step)
    return QCoreApplication.translate("CleaningLabels", text) if text else _humanize(step)


def reason_label(reason: str) -> str:
    """Why a cleaning step dropped a document, in words."""
    text = REASON_LABELS.get(reason)
    return QCoreApplication.translate("CleaningLabels", text) if text else _humanize(reason)


def metric_label(key: str) -> str:
    """A graph series' name: 'Learning rate' for train/lr; a key not listed reads as its words."""
    text = METRIC_LABELS.get(key)
    if text:
        return QCoreApplication.translate("MetricLabels", text)
    group, _, name = key.rpartition("/")
    if group == "val" and name.startswith("rule_"):  # one rule of the judge, held out
        return QCoreApplication.translate("MetricLabels", "Rule: {0}").format(name[5:].replace("_", " "))
    if group == "val" and name.startswith("greedy_rule_"):  # the same, of the greedy answers
        return QCoreApplication.translate("MetricLabels", "Rule, greedy: {0}").format(name[12:].replace("_", " "))
    return _humanize(name) if name else key


# The engine's checks of a config, as a form shows them: the keys become their labels, and the
# sentences are translated. The engine's own text (the CLI's, the logs') stays as it is.
_KEY = r"([a-z][a-z0-9_]*)"
_FORM_MESSAGES = [
    (
        rf"{_KEY} \(([^)]*)\) must be divisible by {_KEY} \(([^)]*)\)",
        QT_TRANSLATE_NOOP("FormMessages", "{0} ({1}) must be a multiple of {2} ({3})"),
    ),
    (
        r"head size (n_embd)/(n_head) = (\d+) must be even \(rotary embeddings\)",
        QT_TRANSLATE_NOOP("FormMessages", "{0} ÷ {1} = {2}: it must be even (rotary embeddings work in pairs)"),
    ),
    (
        rf"{_KEY} \(([^)]*)\) must not exceed {_KEY} \(([^)]*)\)",
        QT_TRANSLATE_NOOP("FormMessages", "{0} ({1}) must not exceed {2} ({3})"),
    ),
    (
        r"(n_experts) must be 0 \(dense\) or at least 2",
        QT_TRANSLATE_NOOP("FormMessages", "{0} must be 0 (a dense model) or at least 2"),
    ),
    (rf"{_KEY} must be >= (\S+), got (.+)", QT_TRANSLATE_NOOP("FormMessages", "{0} must be at least {1} (it is {2})")),
    (rf"{_KEY} must be <= (\S+), got (.+)", QT_TRANSLATE_NOOP("FormMessages", "{0} must be at most {1} (it is {2})")),
    (
        rf"{_KEY} must be a finite number, got (.+)",
        QT_TRANSLATE_NOOP("FormMessages", "{0} must be a finite number (it is {1})"),
    ),
    (rf"{_KEY} must be one of (.+), got (.+)", QT_TRANSLATE_NOOP("FormMessages", "{0} must be one of {1} (it is {2})")),
    (
        rf"{_KEY} \(form\) must be (\w+), got (.+)",
        QT_TRANSLATE_NOOP("FormMessages", "{0} must be a value of type {1} (it is {2})"),
    ),
    (
        r"set a budget: max_steps or max_minutes.*",
        QT_TRANSLATE_NOOP("FormMessages", "Set a budget: a number of steps or of minutes"),
    ),
]


def form_message(message: str) -> str:
    """A config error as a form shows it: 'n_embd (100) must be divisible by n_head (3)' reads
    'Width (100) must be a multiple of Attention heads (3)', in the app's language. A message not
    known here keeps its words, with every config key in it replaced by its label."""

    def label(word: str) -> str:
        return config_label(word) if word in CONFIG_LABELS or "_" in word else word

    for pattern, template in _FORM_MESSAGES:
        m = re.fullmatch(pattern, message.strip())
        if m:
            parts = [label(g) for g in m.groups()]
            return QCoreApplication.translate("FormMessages", template).format(*parts)
    return re.sub(r"\b[a-z][a-z0-9_]*\b", lambda m: label(m.group(0)), message)
